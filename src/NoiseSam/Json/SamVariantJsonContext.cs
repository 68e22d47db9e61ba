using System.Text.Json.Serialization;

namespace NoiseSam.Json;

/// <summary>
/// System.Text.Json source-generated metadata of the values record (<see cref="SamVariantDescriptor"/>
/// and its specs). Generated from the public records themselves: a new <c>init</c> property of a
/// record is read and written without any code here. Property names are camelCase (read
/// case-insensitively), enums are names, a null member ("not given") is left out; computed members
/// (<c>Effective*</c>, <c>Policy</c>, …) have no setter and are not written; an unknown property,
/// a missing positional argument (<c>name</c>, <c>distribution</c>, <c>policy</c>, …) or a
/// property given twice is an error; comments and trailing commas are allowed.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    IgnoreReadOnlyProperties = true,
    UseStringEnumConverter = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowDuplicateProperties = false,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true,
    WriteIndented = true)]
[JsonSerializable(typeof(SamVariantDescriptor))]
[JsonSerializable(typeof(SamVariantDescriptor[]))]
internal sealed partial class SamVariantJsonContext : JsonSerializerContext;
