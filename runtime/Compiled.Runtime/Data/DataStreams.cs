using System;
using System.IO;
using System.IO.Compression;

namespace Compiled;

/// <summary>Opening data files that may or may not be gzip-compressed, recognized by content, not by name.</summary>
internal static class DataStreams
{
    private const int BufferSize = 1 << 16;

    /// <summary>Opens <paramref name="path"/> for sequential reading, decompressing it if it is gzip.</summary>
    public static Stream OpenRead(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        try
        {
            return Decompressed(file, leaveOpen: false);
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
    /// </summary>
    public static Stream Decompressed(Stream stream, bool leaveOpen)
    {
        var magic = new byte[2];
        int read = stream.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        var replayed = new PrefixedStream(magic.AsMemory(0, read), stream, leaveOpen);
        return read == 2 && magic[0] == 0x1F && magic[1] == 0x8B
            ? new GZipStream(replayed, CompressionMode.Decompress, leaveOpen: false)
            : replayed;
    }

    /// <summary>A read-only stream that yields some already-read bytes, then the rest of another stream.</summary>
    private sealed class PrefixedStream : Stream
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

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.IsEmpty) return _inner.Read(buffer);
            int n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_leaveOpen) _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
