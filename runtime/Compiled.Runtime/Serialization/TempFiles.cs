using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace Compiled;

/// <summary>
/// Names, and cleans up after, the temporary files an atomic save writes beside its target.
/// A temporary file is named <c>&lt;target name&gt;.tmp-&lt;pid&gt;-&lt;random&gt;</c>, or, when that would exceed
/// the file system's name limit, <c>&lt;FNV-1a 64 of the target name, hex&gt;.tmp-&lt;pid&gt;-&lt;random&gt;</c>.
/// The pid says which process owns it; the random part keeps two saves of one process (two threads)
/// from sharing a name.
/// </summary>
internal static class TempFiles
{
    /// <summary>The longest file name most file systems take: 255 bytes (ext4, XFS, tmpfs, overlay) or UTF-16 units (NTFS).</summary>
    internal const int MaxNameBytes = 255;

    private const string Marker = ".tmp-";

    /// <summary>
    /// The part of every temporary name that stands for <paramref name="targetName"/>: the name itself
    /// when the longest temporary name still fits, else a hash of it (so a target whose own name is valid
    /// can always be saved).
    /// </summary>
    internal static string Stem(string targetName)
    {
        // Longest suffix: ".tmp-" + a 10-digit pid + "-" + 16 hex digits.
        const int longestSuffix = 5 + 10 + 1 + 16;
        if (Encoding.UTF8.GetByteCount(targetName) + longestSuffix <= MaxNameBytes) return targetName;
        return WeightFile.Signature(targetName).ToString("x16", CultureInfo.InvariantCulture);
    }

    /// <summary>A fresh temporary file name for <paramref name="targetName"/>, owned by this process.</summary>
    internal static string NewName(string targetName)
    {
        ulong random = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        return string.Create(CultureInfo.InvariantCulture, $"{Stem(targetName)}{Marker}{Environment.ProcessId}-{random:x16}");
    }

    /// <summary>
    /// Deletes temporary files of <paramref name="targetName"/> in <paramref name="directory"/> left by
    /// saves that were killed: those whose owning process has exited, or whose pid now belongs to a
    /// process started after the file was last written. A save in progress — in this process or another
    /// live one — is never touched. Best effort: a file that cannot be inspected or deleted is left alone.
    /// </summary>
    internal static void DeleteStale(string directory, string targetName)
    {
        string prefix = Stem(targetName) + Marker;
        string[] candidates;
        try
        {
            candidates = Directory.GetFiles(directory, prefix + "*");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return; // the save itself will report a directory it cannot use
        }
        foreach (string file in candidates)
        {
            if (!TryParseOwner(Path.GetFileName(file), prefix, out int pid)) continue;
            try
            {
                if (IsStale(pid, File.GetLastWriteTimeUtc(file))) File.Delete(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Gone already (another save cleaned it) or not ours to delete: not this save's concern.
            }
        }
    }

    /// <summary>
    /// Reads the pid from <c>&lt;prefix&gt;&lt;pid&gt;-&lt;16 hex digits&gt;</c>, or from <c>&lt;prefix&gt;&lt;pid&gt;</c>, the
    /// name earlier versions used (so their leftovers are cleaned too); false for any other name.
    /// </summary>
    internal static bool TryParseOwner(string fileName, string prefix, out int pid)
    {
        pid = 0;
        if (!fileName.StartsWith(prefix, StringComparison.Ordinal)) return false;
        ReadOnlySpan<char> rest = fileName.AsSpan(prefix.Length);
        int dash = rest.IndexOf('-');
        if (dash >= 0)
        {
            ReadOnlySpan<char> random = rest[(dash + 1)..];
            if (random.Length != 16) return false;
            foreach (char c in random)
                if (!char.IsAsciiHexDigit(c)) return false;
            rest = rest[..dash];
        }
        return int.TryParse(rest, NumberStyles.None, CultureInfo.InvariantCulture, out pid) && pid > 0;
    }

    private static bool IsStale(int pid, DateTime lastWriteUtc)
    {
        try
        {
            using var owner = Process.GetProcessById(pid);
            if (owner.HasExited) return true;
            // The pid was reused if its process started after the file was last written; the minute of
            // slack absorbs the coarse clocks process start times are computed from.
            return owner.StartTime.ToUniversalTime() > lastWriteUtc.AddMinutes(1);
        }
        catch (ArgumentException)
        {
            return true; // no process has this pid: its owner is gone
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return false; // cannot tell: keep it, a stale file is cheaper than a deleted live one
        }
    }
}
