using System;
using System.IO;

namespace Compiled;

/// <summary>Writes a whole file or nothing: to a temporary file beside the target, flushed, then renamed over it.</summary>
internal static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/> atomically: to a uniquely named temporary
    /// file beside it first (see <see cref="TempFiles"/>), flushed to disk, then renamed over the target, so a
    /// crash never leaves a half-written file and concurrent saves to one path each write their own temporary
    /// file (the last rename wins; the result is always one complete file). Temporary files of the same target
    /// left by killed saves are deleted first.
    /// </summary>
    /// <exception cref="IOException">
    /// The file could not be written; the message names the file and <paramref name="what"/>, the inner
    /// exception says why. The previous file, if any, is untouched and no temporary file is left behind.
    /// </exception>
    public static void Write(string path, string what, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string name = Path.GetFileName(full);
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' names a root directory, not a file.", nameof(path));
        if (name.Length == 0 || Directory.Exists(full)) throw new ArgumentException($"'{path}' names a directory, not a file.", nameof(path));

        TempFiles.DeleteStale(directory, name);
        string temp = Path.Combine(directory, TempFiles.NewName(name));
        bool created = false;
        try
        {
            // CreateNew: a temporary name is never shared, so an existing file there is not ours to overwrite.
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                created = true;
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever failed (a full disk used to surface from FileStream's buffered writes as an
            // ArgumentOutOfRangeException), the caller gets one IOException that names the target; the
            // cause, with its HResult (e.g. ENOSPC), stays available as the inner exception.
            if (created) TryDelete(temp); // never a file of the same name that some other save created
            throw new IOException($"Could not save {what} to '{full}': {e.Message}", e);
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind; a save after this process has exited deletes it as stale.
        }
    }
}
