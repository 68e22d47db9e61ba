// netstandard2.0 lacks IsExternalInit, which records and init accessors need (the values record,
// SamVariantDescriptor, is one). Linked into the generator with the other declaration files.
namespace System.Runtime.CompilerServices;

internal static class IsExternalInit
{
}
