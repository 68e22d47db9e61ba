using TorchSharp;
using static TorchSharp.torch;

namespace NoiseSam.Harness.Data;

/// <summary>
/// The data sets the harness trains on: Fashion-MNIST (the default, from the Debian package
/// <c>dataset-fashion-mnist</c>), MNIST (IDX files in a directory) and CIFAR-10 (binary batches in
/// a directory). Images are converted to float32 in bulk and normalised with the data set's
/// per-channel mean and standard deviation.
/// </summary>
public static class DataSets
{
    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs the data set.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The command that installs the default data set.</summary>
    public const string InstallCommand = "sudo apt-get install dataset-fashion-mnist";

    /// <summary>Name of Fashion-MNIST.</summary>
    public const string FashionMnist = "fashion-mnist";

    /// <summary>Name of MNIST.</summary>
    public const string Mnist = "mnist";

    /// <summary>Name of CIFAR-10.</summary>
    public const string Cifar10 = "cifar10";

    /// <summary>The data set names <see cref="Load"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = [FashionMnist, Mnist, Cifar10];

    /// <summary>The IDX files a (Fashion-)MNIST directory holds (each may also end in ".gz").</summary>
    public static IReadOnlyList<string> IdxFiles { get; } =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>Per-channel normalisation statistics (of raw pixels scaled to [0, 1]).</summary>
    public static (float[] Mean, float[] Std) Statistics(string name) => Canonical(name) switch
    {
        FashionMnist => ([0.2860f], [0.3530f]),
        Mnist => ([0.1307f], [0.3081f]),
        _ => ([0.4914f, 0.4822f, 0.4465f], [0.2470f, 0.2435f, 0.2616f]),
    };

    /// <summary>True for data sets whose standard training uses random crop + flip (CIFAR-10).</summary>
    public static bool UsesAugmentation(string name) => Canonical(name) == Cifar10;

    /// <summary>
    /// Loads a data set's train and test splits.
    /// </summary>
    /// <param name="name">one of <see cref="Names"/> (case-insensitive).</param>
    /// <param name="dataDir">the directory holding the files; null means <see cref="DefaultDirectory"/>
    /// for Fashion-MNIST and is an error for the others.</param>
    /// <param name="limitTrain">keep only the first N training samples (null: all).</param>
    /// <param name="limitTest">keep only the first N test samples (null: all).</param>
    /// <exception cref="DataFormatException">a missing data set or file, or a malformed file.</exception>
    /// <exception cref="ArgumentException">an unknown name, a missing directory for MNIST/CIFAR-10, or a limit below 1.</exception>
    public static DataSplit Load(string name, string? dataDir = null, int? limitTrain = null, int? limitTest = null) =>
        Load(name, dataDir, limitTrain, limitTest, DefaultDirectory);

    /// <summary><see cref="Load(string, string?, int?, int?)"/> with another default directory (tests).</summary>
    internal static DataSplit Load(string name, string? dataDir, int? limitTrain, int? limitTest, string defaultDirectory)
    {
        string canonical = Canonical(name);
        if (limitTrain is < 1) throw new ArgumentOutOfRangeException(nameof(limitTrain), limitTrain, "the training limit must be at least 1");
        if (limitTest is < 1) throw new ArgumentOutOfRangeException(nameof(limitTest), limitTest, "the test limit must be at least 1");
        var (mean, std) = Statistics(canonical);

        RawImages trainImages, testImages;
        byte[] trainLabels, testLabels;
        if (canonical == Cifar10)
        {
            if (dataDir is null)
                throw new ArgumentException("CIFAR-10 has no default location: pass the directory holding data_batch_1.bin … test_batch.bin (or cifar-10-batches-bin/) with --data-dir");
            string dir = ResolveCifarDirectory(dataDir);
            (trainImages, trainLabels) = CifarReader.Read(CifarReader.TrainFiles.Select(f => Path.Combine(dir, f)).ToArray());
            (testImages, testLabels) = CifarReader.Read([Path.Combine(dir, CifarReader.TestFile)], recordsPerFile: trainLabels.Length / CifarReader.TrainFiles.Count);
        }
        else
        {
            string dir;
            if (dataDir is null)
            {
                if (canonical != FashionMnist)
                    throw new ArgumentException("MNIST has no default location: pass the directory holding its IDX files (train-images-idx3-ubyte[.gz] …) with --data-dir");
                dir = defaultDirectory;
                if (!Directory.Exists(dir))
                    throw new DataFormatException(dir,
                        $"expected the Fashion-MNIST data set (the default), found no such directory. Install it with: {InstallCommand}");
            }
            else dir = dataDir;
            var paths = ResolveIdxFiles(dir, canonical, isDefault: dataDir is null);
            trainImages = IdxReader.ReadImages(paths[0]);
            trainLabels = IdxReader.ReadLabels(paths[1]);
            CheckMatch(paths[0], trainImages, paths[1], trainLabels);
            testImages = IdxReader.ReadImages(paths[2]);
            testLabels = IdxReader.ReadLabels(paths[3]);
            CheckMatch(paths[2], testImages, paths[3], testLabels);
            if (testImages.Rows != trainImages.Rows || testImages.Cols != trainImages.Cols)
                throw new DataFormatException(paths[2],
                    $"expected test images of {trainImages.Rows}×{trainImages.Cols} like the training images, found {testImages.Rows}×{testImages.Cols}");
        }
        if (trainImages.Rows != trainImages.Cols)
            throw new DataFormatException(dataDir ?? defaultDirectory, $"expected square images, found {trainImages.Rows}×{trainImages.Cols}");

        var train = ToDataset($"{canonical}/train", trainImages, trainLabels, limitTrain, mean, std);
        try
        {
            var test = ToDataset($"{canonical}/test", testImages, testLabels, limitTest, mean, std);
            return new DataSplit(train, test);
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Converts raw images and labels into a normalised <see cref="TensorDataset"/>: one tensor from
    /// the byte array, one conversion to float32, in-place scaling (x/255 − mean)/std per channel.
    /// </summary>
    public static TensorDataset ToDataset(string name, RawImages raw, byte[] labels, int? limit, float[] mean, float[] std, int classes = 10)
    {
        if (labels.Length != raw.Count)
            throw new ArgumentException($"{raw.Count} images but {labels.Length} labels");
        if (mean.Length != raw.Channels || std.Length != raw.Channels)
            throw new ArgumentException($"normalisation needs {raw.Channels} values per statistic");
        long n = Math.Min(limit ?? raw.Count, raw.Count);
        using var scope = torch.NewDisposeScope();
        using var bytes = torch.tensor(raw.Pixels, [raw.Count, raw.Channels, raw.Rows, raw.Cols], ScalarType.Byte);
        using var kept = bytes.narrow(0, 0, n);
        var images = kept.to_type(ScalarType.Float32);
        using (var scale = (1.0 / 255.0).ToScalar()) images.mul_(scale);
        if (raw.Channels == 1)
        {
            using var m = ((double)mean[0]).ToScalar();
            using var s = ((double)std[0]).ToScalar();
            images.sub_(m).div_(s);
        }
        else
        {
            using var m = torch.tensor(mean, [1, raw.Channels, 1, 1]);
            using var s = torch.tensor(std, [1, raw.Channels, 1, 1]);
            images.sub_(m).div_(s);
        }
        using var labelBytes = torch.tensor(labels, [raw.Count], ScalarType.Byte);
        using var keptLabels = labelBytes.narrow(0, 0, n);
        var labelTensor = keptLabels.to_type(ScalarType.Int64);
        // The data set detaches both tensors from this scope: they live until it is disposed.
        return new TensorDataset(name, images, labelTensor, classes, mean, std);
    }

    private static string Canonical(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string n = name.Trim().ToLowerInvariant();
        return n switch
        {
            FashionMnist or "fashionmnist" or "fashion_mnist" => FashionMnist,
            Mnist => Mnist,
            Cifar10 or "cifar-10" or "cifar_10" => Cifar10,
            _ => throw new ArgumentException($"unknown data set '{name}'; expected one of: {string.Join(", ", Names)}", nameof(name)),
        };
    }

    private static void CheckMatch(string imagesPath, RawImages images, string labelsPath, byte[] labels)
    {
        if (images.Count != labels.Length)
            throw new DataFormatException(labelsPath,
                $"expected {images.Count} labels to match the {images.Count} images of {imagesPath}, found {labels.Length}");
    }

    /// <summary>The four IDX paths (train images, train labels, test images, test labels) found in <paramref name="dir"/>.</summary>
    private static string[] ResolveIdxFiles(string dir, string canonical, bool isDefault)
    {
        string expected = string.Join(", ", IdxFiles.Select(f => f + "[.gz]"));
        if (!Directory.Exists(dir))
            throw new DataFormatException(dir, $"expected a directory holding the {canonical} IDX files ({expected}), found no such directory");
        var result = new string[IdxFiles.Count];
        var missing = new List<string>();
        for (int i = 0; i < IdxFiles.Count; i++)
        {
            string stem = IdxFiles[i];
            // Also the dotted spelling of some mirrors: train-images.idx3-ubyte.
            string dotted = stem.Replace("-idx", ".idx", StringComparison.Ordinal);
            string[] candidates = [stem + ".gz", stem, dotted + ".gz", dotted];
            string? found = candidates.Select(c => Path.Combine(dir, c)).FirstOrDefault(File.Exists);
            if (found is null) missing.Add(stem + "[.gz]");
            else result[i] = found;
        }
        if (missing.Count > 0)
        {
            string detail = $"expected the {canonical} IDX files {expected} in this directory, found {string.Join(", ", missing)} missing";
            if (isDefault) detail += $". Reinstall the data set with: sudo apt-get install --reinstall dataset-fashion-mnist";
            throw new DataFormatException(dir, detail);
        }
        return result;
    }

    private static string ResolveCifarDirectory(string dataDir)
    {
        string expected = string.Join(", ", CifarReader.TrainFiles.Append(CifarReader.TestFile));
        if (!Directory.Exists(dataDir))
            throw new DataFormatException(dataDir, $"expected a directory holding the CIFAR-10 binary batches ({expected}), found no such directory");
        string nested = Path.Combine(dataDir, "cifar-10-batches-bin");
        string dir = !File.Exists(Path.Combine(dataDir, CifarReader.TestFile)) && Directory.Exists(nested) ? nested : dataDir;
        var missing = CifarReader.TrainFiles.Append(CifarReader.TestFile).Where(f => !File.Exists(Path.Combine(dir, f))).ToList();
        if (missing.Count > 0)
            throw new DataFormatException(dir, $"expected the CIFAR-10 binary batches {expected} in this directory, found {string.Join(", ", missing)} missing");
        return dir;
    }
}
