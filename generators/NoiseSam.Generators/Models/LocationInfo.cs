using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace NoiseSam.Generators.Models;

/// <summary>A location as plain values, so pipeline models stay equatable (NetEscapades' <c>LocationInfo</c>).</summary>
internal sealed record LocationInfo(string FilePath, TextSpan TextSpan, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, TextSpan, LineSpan);

    public static LocationInfo? CreateFrom(Location location) =>
        location.SourceTree is null ? null : new LocationInfo(location.SourceTree.FilePath, location.SourceSpan, location.GetLineSpan().Span);
}
