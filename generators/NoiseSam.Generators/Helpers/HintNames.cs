using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using NoiseSam.Generators.Models;

namespace NoiseSam.Generators.Helpers;

/// <summary>
/// Hint names: <c>{metadata name}.SamStep.g.cs</c> (<c>MyApp.Outer+Inner.SamStep.g.cs</c>), with any
/// character a hint name may not hold replaced, and made unique ignoring case (Roslyn compares them
/// that way; <c>CaseSam</c> and <c>casesam</c> are two classes): every name of a clash after the
/// first, in ordinal order, gets <c>.2</c>, <c>.3</c>, ... before <c>.SamStep.g.cs</c>, which no
/// metadata name can produce (no identifier is a number).
/// </summary>
internal static class HintNames
{
    private const string Suffix = ".SamStep.g.cs";

    /// <summary>A stem that had to be renamed.</summary>
    internal sealed record Renamed(string Stem, string HintName);

    /// <summary>The stem of a variant's hint name: its metadata name, safe for a hint name.</summary>
    public static string Stem(HierarchyInfo hierarchy)
    {
        var text = new StringBuilder(hierarchy.MetadataName.Length);
        foreach (char c in hierarchy.MetadataName)
            text.Append(char.IsLetterOrDigit(c) || c is '.' or '+' or '_' or '-' ? c : '_');
        return text.ToString();
    }

    /// <summary>The renamed stems among all of them (usually none).</summary>
    public static EquatableArray<Renamed> Disambiguate(ImmutableArray<string> stems)
    {
        var renamed = ImmutableArray.CreateBuilder<Renamed>();
        foreach (var clash in stems.Distinct(StringComparer.Ordinal).GroupBy(s => s, StringComparer.OrdinalIgnoreCase))
        {
            int n = 1;
            foreach (string stem in clash.OrderBy(s => s, StringComparer.Ordinal).Skip(1))
                renamed.Add(new Renamed(stem, $"{stem}.{++n}{Suffix}"));
        }
        return renamed.ToImmutable();
    }

    public static string For(HierarchyInfo hierarchy, EquatableArray<Renamed> renamed)
    {
        string stem = Stem(hierarchy);
        foreach (Renamed entry in renamed)
            if (entry.Stem == stem) return entry.HintName;
        return stem + Suffix;
    }
}
