using System;
using System.Globalization;
using System.Text;

namespace NoiseSam.Generators.Helpers;

/// <summary>C# literals, culture-invariant ("R" round-trip for doubles, so the value is exact), and safe doc-comment text.</summary>
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

    /// <summary>A quoted string literal; every control character and line terminator (U+0085, U+2028, U+2029 too) is escaped.</summary>
    public static string String(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                default:
                    if (IsLineBreakOrControl(c)) AppendEscape(text, c);
                    else text.Append(c);
                    break;
            }
        }
        return text.Append('"').ToString();
    }

    public static string Enum<TEnum>(TEnum value)
        where TEnum : struct, Enum => $"global::NoiseSam.Dsl.{typeof(TEnum).Name}.{value}";

    /// <summary>
    /// Text for a <c>///</c> comment: XML-escaped, and every character that would end the comment
    /// line (CR, LF, U+0085, U+2028, U+2029) or that XML cannot hold (other control characters) is
    /// written as its <c>\uXXXX</c> escape.
    /// </summary>
    public static string XmlText(string value)
    {
        var text = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                text.Append(c).Append(value[++i]);
                continue;
            }
            switch (c)
            {
                case '&': text.Append("&amp;"); break;
                case '<': text.Append("&lt;"); break;
                case '>': text.Append("&gt;"); break;
                default:
                    // A lone surrogate is not XML either.
                    if (IsLineBreakOrControl(c) || char.IsSurrogate(c)) AppendEscape(text, c);
                    else text.Append(c);
                    break;
            }
        }
        return text.ToString();
    }

    private static bool IsLineBreakOrControl(char c) => char.IsControl(c) || c is '\u2028' or '\u2029';

    private static void AppendEscape(StringBuilder text, char c) =>
        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
}
