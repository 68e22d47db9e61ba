using System.Text.Json;
using System.Text.Json.Serialization;

namespace NoiseSam.Harness.Study;

/// <summary>Source-generated JSON metadata of the study's claim and plan files.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(StudyClaimInfo))]
[JsonSerializable(typeof(StudyPlanFile))]
internal sealed partial class StudyJsonContext : JsonSerializerContext;
