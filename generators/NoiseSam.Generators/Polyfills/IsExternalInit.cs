// netstandard2.0 lacks IsExternalInit, which records and init accessors need.
namespace System.Runtime.CompilerServices;

internal static class IsExternalInit
{
}
