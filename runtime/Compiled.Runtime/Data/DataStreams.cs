using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace Compiled;

/// <summary>
/// Opening data files that may or may not be gzip-compressed, recognized by content, not by name.
/// Gzip content is checked against the file's trailer, because <see cref="GZipStream"/> reports a
/// truncated file as an ordinary, shorter end of data.
/// </summary>
internal static class DataStreams
{
    private const int BufferSize = 1 << 16;

    /// <summary>Opens <paramref name="path"/> for sequential reading, decompressing it if it is gzip.</summary>
    public static Stream OpenRead(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        try
        {
            return Decompressed(file, leaveOpen: false, source: path);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A stream of the content of <paramref name="stream"/>, decompressed if it starts with the gzip magic
    /// bytes 0x1F 0x8B. The stream need not be seekable: the bytes read to sniff the format are replayed.
    /// Corrupt or truncated gzip data raises <see cref="InvalidDataException"/> naming <paramref name="source"/>.
    /// </summary>
    public static Stream Decompressed(Stream stream, bool leaveOpen, string source)
    {
        var magic = new byte[2];
        int read = stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        var replayed = new PrefixedStream(magic.AsMemory(0, read), stream, leaveOpen);
        return read == 2 && magic[0] == 0x1F && magic[1] == 0x8B
            ? new CheckedGzipStream(replayed, source)
            : replayed;
    }

    /// <summary>
    /// How many bytes are left in <paramref name="content"/> when that is known without reading them
    /// (an uncompressed, seekable file), or -1. Readers compare sizes announced in headers against it
    /// before allocating.
    /// </summary>
    public static long KnownRemaining(Stream content) => content is PrefixedStream plain ? plain.KnownRemaining : -1;

    /// <summary>A read-only stream that yields some already-read bytes, then the rest of another stream.</summary>
    private sealed class PrefixedStream : ForwardReadStream
    {
        private ReadOnlyMemory<byte> _prefix;
        private readonly Stream _inner;
        private readonly bool _leaveOpen;

        public PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner, bool leaveOpen)
        {
            _prefix = prefix;
            _inner = inner;
            _leaveOpen = leaveOpen;
        }

        public long KnownRemaining => _inner.CanSeek ? _prefix.Length + Math.Max(0, _inner.Length - _inner.Position) : -1;

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.IsEmpty) return _inner.Read(buffer);
            int n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_leaveOpen) _inner.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>
    /// Decompresses gzip and, at the end of the data, checks the CRC-32 and the length (mod 2^32) of
    /// everything decompressed against the last 8 bytes of the input, the gzip trailer. This catches a
    /// file cut anywhere (the last 8 bytes are then not the trailer), trailing garbage and a corrupt body.
    /// A multi-member file (gzip files concatenated) fails the check and is rejected: its trailer
    /// covers the last member only. Errors name the source.
    /// </summary>
    private sealed class CheckedGzipStream : ForwardReadStream
    {
        private readonly TailStream _compressed;
        private readonly GZipStream _gzip;
        private readonly string _source;
        private uint _crc = Crc32.Initial; // the running register; Crc32.Final gives the CRC
        private long _length;
        private bool _checked;

        public CheckedGzipStream(Stream compressed, string source)
        {
            _compressed = new TailStream(compressed);
            _gzip = new GZipStream(_compressed, CompressionMode.Decompress, leaveOpen: false);
            _source = source;
        }

        public override int Read(Span<byte> buffer)
        {
            if (buffer.IsEmpty || _checked) return 0;
            int n;
            try
            {
                n = _gzip.Read(buffer);
            }
            catch (InvalidDataException e)
            {
                // GZipStream's messages name neither the file nor the problem ("unsupported compression method").
                throw new InvalidDataException($"{_source}: corrupt gzip data ({e.Message}).", e);
            }
            if (n > 0)
            {
                _crc = Crc32.Update(_crc, buffer[..n]);
                _length += n;
                return n;
            }
            CheckTrailer();
            return 0;
        }

        private void CheckTrailer()
        {
            _checked = true;
            _compressed.Drain(); // the trailer is the last 8 bytes of the input, whatever GZipStream left unread
            if (_compressed.Total < 18) // 10-byte header, 8-byte trailer
                throw new InvalidDataException(
                    $"{_source}: truncated gzip data: the file has {_compressed.Total} bytes, too few for a gzip header and trailer.");
            ReadOnlySpan<byte> trailer = _compressed.Tail;
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
            uint actual = Crc32.Final(_crc);
            if (crc != actual || size != (uint)_length)
                throw new InvalidDataException(
                    $"{_source}: truncated or corrupt gzip data: {_length} bytes decompressed with CRC-32 {actual:X8}, " +
                    $"but the gzip trailer (the last 8 bytes) announces {size} bytes (mod 2^32) with CRC-32 {crc:X8}. " +
                    "Concatenated (multi-member) gzip files are not supported; recompress them as one stream.");
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _gzip.Dispose();
            base.Dispose(disposing);
        }
    }

    /// <summary>A pass-through read stream remembering how many bytes it delivered and the last 8 of them.</summary>
    private sealed class TailStream(Stream inner) : ForwardReadStream
    {
        private readonly byte[] _tail = new byte[8];
        private readonly byte[] _window = new byte[16];

        public long Total { get; private set; }

        /// <summary>The last 8 bytes delivered (fewer if <see cref="Total"/> is below 8).</summary>
        public ReadOnlySpan<byte> Tail => _tail.AsSpan(0, (int)Math.Min(8, Total));

        /// <summary>Reads the rest of the input, so that <see cref="Tail"/> is the end of it.</summary>
        public void Drain()
        {
            Span<byte> scratch = stackalloc byte[512];
            while (Read(scratch) > 0) { }
        }

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            if (n == 0) return 0;
            // The new tail is the last 8 bytes of (old tail + what was just read).
            int kept = (int)Math.Min(8, Total);
            int fresh = Math.Min(8, n);
            _tail.AsSpan(0, kept).CopyTo(_window);
            buffer.Slice(n - fresh, fresh).CopyTo(_window.AsSpan(kept));
            int end = kept + fresh;
            int start = Math.Max(0, end - 8);
            _window.AsSpan(start, end - start).CopyTo(_tail);
            Total += n;
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
