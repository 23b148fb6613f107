using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Compiled.Tests.Networks;
using Xunit;
using Xunit.Abstractions;

namespace Compiled.Tests.Serialization;

/// <summary>
/// Saving: atomic under concurrency, cleaning up after killed saves, long names, and one IOException
/// naming the file for any failure. Loading: directories and trailing bytes are refused.
/// </summary>
public sealed class WeightFileSaveTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("compiled-save-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static uint[] Bits(ReadOnlySpan<float> values) => values.ToArray().Select(BitConverter.SingleToUInt32Bits).ToArray();

    private static string[] TempFilesIn(string dir) => Directory.GetFiles(dir).Where(f => Path.GetFileName(f).Contains(".tmp-")).ToArray();

    [Fact]
    public void Concurrent_saves_to_one_path_all_succeed_and_leave_one_complete_file()
    {
        const int threads = 6;
        var nets = Enumerable.Range(0, threads).Select(i => new DigitsNet(seed: 100 + i)).ToArray();
        var expected = nets.Select(n => Bits(n.Parameters)).ToArray();
        string path = Path.Combine(_dir, "shared.cmpl");
        for (int round = 0; round < 5; round++)
        {
            // Every thread saves several times so saves overlap at every stage: create, write, rename.
            Concurrently.Run(threads, t =>
            {
                for (int k = 0; k < 4; k++) nets[t].Save(path);
            });
            var loaded = new DigitsNet(seed: 1);
            loaded.Load(path);
            uint[] bits = Bits(loaded.Parameters);
            Assert.Contains(expected, e => e.SequenceEqual(bits));
            Assert.Empty(TempFilesIn(_dir));
        }
    }

    /// <summary>The pid of a process that has exited (and, a moment later, is very unlikely to be reused).</summary>
    private static int DeadPid()
    {
        using var process = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        process.WaitForExit();
        return process.Id;
    }

    private string Touch(string name, DateTime? lastWriteUtc = null)
    {
        string file = Path.Combine(_dir, name);
        File.WriteAllBytes(file, new byte[100]);
        if (lastWriteUtc is { } time) File.SetLastWriteTimeUtc(file, time);
        return file;
    }

    [Fact]
    public void Save_deletes_temp_files_of_killed_saves_of_the_same_target_only()
    {
        int dead = DeadPid();
        using var live = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        try
        {
            int self = Environment.ProcessId;
            string[] stale =
            [
                Touch($"net.cmpl.tmp-{dead}-0123456789abcdef"),              // owner exited
                Touch($"net.cmpl.tmp-{dead}"),                               // left by an earlier version
                Touch($"net.cmpl.tmp-{live.Id}-00000000deadbeef", DateTime.UtcNow.AddDays(-2)), // pid reused since
            ];
            string[] kept =
            [
                Touch($"net.cmpl.tmp-{live.Id}-1111111111111111"),           // a save in progress in another process
                Touch($"net.cmpl.tmp-{self}-2222222222222222"),              // … or in another thread of this one
                Touch($"other.cmpl.tmp-{dead}-3333333333333333"),            // another target's
                Touch($"net.cmpl.tmp-{dead}-notours"),                       // not a name a save makes
                Touch("net.cmpl.bak"),
            ];

            new TinyWeightsNet().Save(Path.Combine(_dir, "net.cmpl"));

            Assert.All(stale, f => Assert.False(File.Exists(f), $"{f} should have been deleted"));
            Assert.All(kept, f => Assert.True(File.Exists(f), $"{f} should have been kept"));
        }
        finally
        {
            live.Kill();
            live.WaitForExit();
        }
    }

    [Theory]
    [InlineData(250, 'w')]  // 255 bytes with ".cmpl": the longest name ext4, tmpfs and overlay take
    [InlineData(230, 'w')]  // 235 bytes: fits, but with ".tmp-<pid>-<random>" it would not
    [InlineData(125, 'é')]  // 255 bytes of UTF-8 in 130 characters
    public void Names_up_to_the_file_system_limit_can_be_saved(int letters, char letter)
    {
        string name = new string(letter, letters) + ".cmpl";
        Assert.True(Encoding.UTF8.GetByteCount(name) <= 255);
        string path = Path.Combine(_dir, name);
        var net = new TinyWeightsNet(seed: 3);
        net.Save(path);
        net.Save(path); // again, over the first
        var copy = new TinyWeightsNet(seed: 4);
        copy.Load(path);
        Assert.Equal(Bits(net.Parameters), Bits(copy.Parameters));
        Assert.Equal(new[] { path }, Directory.GetFiles(_dir));
    }

    [Fact]
    public void A_long_name_s_stale_temp_files_are_cleaned_too()
    {
        string name = new string('x', 250) + ".cmpl";
        string stale = Touch($"{WeightFile.Signature(name):x16}.tmp-{DeadPid()}-0123456789abcdef");
        new TinyWeightsNet().Save(Path.Combine(_dir, name));
        Assert.False(File.Exists(stale));
    }

    [Fact]
    public void A_failed_save_is_an_IOException_naming_the_file_and_leaves_nothing_behind()
    {
        // The parent "directory" is a file: creating the temporary file fails (ENOTDIR).
        string notADirectory = Touch("plain-file");
        string path = Path.Combine(notADirectory, "net.cmpl");
        var error = Assert.Throws<IOException>(() => new TinyWeightsNet().Save(path));
        Assert.Contains($"'{path}'", error.Message); // the target, not a temporary file
        Assert.NotNull(error.InnerException);
    }

    [Fact]
    public void A_full_disk_is_an_IOException_naming_the_file_and_the_previous_file_survives()
    {
        if (!TinyFileSystem.TryMount(out string? mount, out string why))
        {
            output.WriteLine($"Full-disk case not run: {why}");
            return;
        }
        try
        {
            string path = Path.Combine(mount, "digits.cmpl");
            var small = new DigitsNet(seed: 7);          // ~19 KB: fits in the 64 KB file system
            small.Save(path);
            var big = new FashionMlp(seed: 7);           // ~800 KB: does not
            var error = Assert.Throws<IOException>(() => big.Save(path));
            output.WriteLine(error.ToString());
            Assert.Contains($"'{path}'", error.Message); // the target, not a temporary file
            Assert.Equal(new[] { path }, Directory.GetFiles(mount)); // the temporary file is gone
            var loaded = new DigitsNet(seed: 8);
            loaded.Load(path);
            Assert.Equal(Bits(small.Parameters), Bits(loaded.Parameters));
        }
        finally
        {
            TinyFileSystem.Unmount(mount);
        }
    }

    [Fact]
    public void Loading_a_directory_is_refused_with_a_specific_message()
    {
        var net = new TinyWeightsNet();
        var error = Assert.Throws<InvalidDataException>(() => net.Load(_dir));
        Assert.Contains("is a directory", error.Message);
    }

    [Fact]
    public void Trailing_bytes_after_the_checksum_are_refused_and_leave_the_weights_untouched()
    {
        var saved = new TinyWeightsNet(seed: 5);
        string path = Path.Combine(_dir, "tiny.cmpl");
        saved.Save(path);
        File.AppendAllText(path, "x");
        var net = new TinyWeightsNet(seed: 6);
        uint[] before = Bits(net.Parameters);
        var error = Assert.Throws<InvalidDataException>(() => net.Load(path));
        Assert.Contains("1 trailing bytes after the checksum", error.Message);
        Assert.Equal(before, Bits(net.Parameters));
    }

    [Fact]
    public void A_stream_may_continue_after_the_weights()
    {
        var saved = new TinyWeightsNet(seed: 5);
        var stream = new MemoryStream();
        saved.Save(stream);
        long end = stream.Position;
        stream.Write("more"u8);
        stream.Position = 0;
        var net = new TinyWeightsNet(seed: 6);
        net.Load(stream);
        Assert.Equal(Bits(saved.Parameters), Bits(net.Parameters));
        Assert.Equal(end, stream.Position);
    }
}

/// <summary>A 64 KB tmpfs, to run out of space on purpose. Needs root (CI containers run as root).</summary>
internal static class TinyFileSystem
{
    public static bool TryMount(out string mount, out string why)
    {
        mount = Directory.CreateTempSubdirectory("compiled-full-").FullName;
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            Directory.Delete(mount);
            why = "needs root on Linux to mount a tmpfs";
            return false;
        }
        int code = Run("mount", $"-t tmpfs -o size=64k tmpfs {mount}");
        if (code != 0)
        {
            Directory.Delete(mount);
            why = $"mount exited with {code}";
            return false;
        }
        why = "";
        return true;
    }

    public static void Unmount(string mount)
    {
        Run("umount", mount);
        Directory.Delete(mount);
    }

    private static int Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { UseShellExecute = false, RedirectStandardError = true })!;
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode;
    }
}
