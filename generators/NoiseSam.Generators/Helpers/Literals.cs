using System;
using System.Globalization;
using Microsoft.CodeAnalysis.CSharp;

namespace NoiseSam.Generators.Helpers;

/// <summary>C# literals, culture-invariant ("R" round-trip for doubles, so the value is exact).</summary>
internal static class Literals
{
    public static string Double(double value)
    {
        if (double.IsNaN(value)) return "global::System.Double.NaN";
        if (double.IsPositiveInfinity(value)) return "global::System.Double.PositiveInfinity";
        if (double.IsNegativeInfinity(value)) return "global::System.Double.NegativeInfinity";
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(new[] { '.', 'E', 'e' }) >= 0 ? text : text + ".0";
    }

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    public static string String(string value) => SymbolDisplay.FormatLiteral(value, quote: true);

    public static string Enum<TEnum>(TEnum value)
        where TEnum : struct, Enum => $"global::NoiseSam.Dsl.{typeof(TEnum).Name}.{value}";
}
