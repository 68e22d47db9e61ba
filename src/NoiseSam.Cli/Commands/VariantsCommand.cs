using System.CommandLine;
using System.Globalization;
using NoiseSam.Harness.Training;
using Spectre.Console;

namespace NoiseSam.Cli.Commands;

/// <summary><c>noisesam variants</c>: every registered variant, its declaration and its expected cost.</summary>
internal static class VariantsCommand
{
    public static Command Create(CliContext context)
    {
        var from = CommonOptions.VariantsFrom();
        var variantsFile = CommonOptions.VariantsFile();
        var command = new Command("variants", "List the registered SAM variants: declaration and expected cost per step relative to the base optimizer.");
        command.Options.Add(from);
        command.Options.Add(variantsFile);
        command.SetAction(parse => CliApp.Guard(context, () =>
        {
            CommonOptions.LoadVariants(context, parse.GetValue(from));
            var fromFile = CommonOptions.LoadVariantsFile(context, parse.GetValue(variantsFile));
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("Variant")
                .AddColumn("Declaration")
                .AddColumn(new TableColumn("Expected cost (× base)").RightAligned())
                .AddColumn("Implementation")
                .AddColumn("Settings from");
            foreach (var entry in SamVariantRegistry.Entries)
            {
                var d = entry.Descriptor;
                table.AddRow(
                    Markup.Escape(d.Name),
                    Markup.Escape(d.Summary()),
                    CostModel.IdealRatio(d).ToString("F2", CultureInfo.InvariantCulture),
                    entry.GeneratedType is null ? "engine" : Markup.Escape("generated (" + entry.GeneratedType.Name + ")"),
                    Markup.Escape(Variants.TunedSettings.SourceOf(d.Name) ?? (fromFile.Contains(d.Name) ? "--variants-file" : "its declaration")));
            }
            context.Console.Write(table);
            context.Console.WriteLine("Expected cost: forward+backward passes per step relative to the base optimizer (ALGORITHMS.md §10.2). " +
                "Settings from: the paper variants' values were searched on a validation split in the default regime (docs/tuning.md); " +
                "'<name>-paper' is the paper's nominal declaration, for reference runs.");
            return ExitCodes.Success;
        }));
        return command;
    }
}
