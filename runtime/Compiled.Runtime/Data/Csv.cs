using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Compiled;

/// <summary>
/// Loads numeric CSV files into a <see cref="Dataset"/>: plain or gzip-compressed (recognized by content),
/// numbers in invariant culture (<c>1.5</c>, <c>-2e-3</c>), one row per line, blank lines skipped.
/// Quoted fields are not supported.
/// </summary>
public static class Csv
{
    /// <summary>
    /// Loads a classification data set in the layout of the sample UCI files: an optional header line
    /// <c>count,featureCount,className0,className1,...</c>, then rows of features followed by the class
    /// label, a non-negative integer (below the number of class names when there is a header).
    /// </summary>
    /// <remarks>
    /// The first line is taken as a header when one of its fields is not a number (a class name) or when it
    /// has a different number of fields from the next line; <c>digits.csv.gz</c>, for one, has no header.
    /// With a header, the row and feature counts are checked against it; without one, the class count is
    /// the largest label plus one.
    /// </remarks>
    /// <returns>A dataset with the label as its single target (see <see cref="Dataset.Labels"/>).</returns>
    /// <exception cref="InvalidDataException">The file is malformed or does not match its header; the message gives the file and line.</exception>
    public static Dataset LoadUciClassification(string path) => LoadUciClassification(path, out _);

    /// <summary>
    /// Loads a classification data set like <see cref="LoadUciClassification(string)"/>, also returning the
    /// class names from its header, indexed by label (the labels themselves, "0", "1", ..., without a header).
    /// </summary>
    public static Dataset LoadUciClassification(string path, out string[] classNames)
    {
        using var rows = new RowReader(path, ',');
        string first = rows.ReadLine() ?? throw rows.Error("the file is empty.");
        string? second = rows.PeekLine();
        bool hasHeader = !rows.IsNumeric(first) || (second is not null && rows.FieldCount(first) != rows.FieldCount(second));

        int featureCount;
        int expectedRows = -1;
        string[]? headerNames = null;
        string? line = first;
        if (hasHeader)
        {
            string[] fields = first.Split(',');
            if (fields.Length < 3
                || !int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out expectedRows) || expectedRows < 0
                || !int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out featureCount) || featureCount <= 0)
                throw rows.Error($"the header '{first}' is not count,featureCount,className,... (with at least one class).");
            headerNames = fields[2..];
            for (int c = 0; c < headerNames.Length; c++) headerNames[c] = headerNames[c].Trim();
            line = rows.ReadLine();
        }
        else
        {
            featureCount = rows.FieldCount(first) - 1;
            if (featureCount <= 0)
                throw rows.Error("the row has a single field; expected features followed by a label.");
        }

        var features = new List<float>();
        var labels = new List<int>();
        var row = new float[featureCount + 1];
        int classLimit = headerNames?.Length ?? int.MaxValue;
        for (; line is not null; line = rows.ReadLine())
        {
            rows.Parse(line, row);
            float label = row[featureCount];
            if (!(label >= 0 && label < classLimit && label == MathF.Floor(label)))
                throw rows.Error(headerNames is null
                    ? $"the label {label} (last field) is not a non-negative integer."
                    : $"the label {label} (last field) is not a class index in [0, {headerNames.Length}).");
            features.AddRange(row.AsSpan(0, featureCount));
            labels.Add((int)label);
        }
        if (hasHeader && labels.Count != expectedRows)
            throw new InvalidDataException($"{path}: the header announces {expectedRows} rows, but the file has {labels.Count}.");

        var data = Dataset.FromLabels(features.ToArray(), featureCount, labels.ToArray());
        classNames = headerNames ?? LabelNames(data.ClassCount());
        return data;
    }

    private static string[] LabelNames(int classCount)
    {
        var names = new string[classCount];
        for (int c = 0; c < classCount; c++) names[c] = c.ToString(CultureInfo.InvariantCulture);
        return names;
    }

    /// <summary>
    /// Loads a numeric CSV file whose last <paramref name="targetColumns"/> columns are the targets and the
    /// other columns the features; every row must have the same number of fields.
    /// </summary>
    /// <param name="path">The file, plain or gzip-compressed.</param>
    /// <param name="targetColumns">How many trailing columns are targets; positive.</param>
    /// <param name="hasHeader">Whether the first non-blank line is a header, to be skipped.</param>
    /// <param name="separator">The field separator.</param>
    /// <exception cref="InvalidDataException">A field is not a number, the rows differ in length, or there are no rows.</exception>
    public static Dataset Load(string path, int targetColumns = 1, bool hasHeader = true, char separator = ',')
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetColumns);
        using var rows = new RowReader(path, separator);
        if (hasHeader && rows.ReadLine() is null)
            throw rows.Error("the file is empty; expected a header line.");

        var features = new List<float>();
        var targets = new List<float>();
        float[] row = [];
        int featureColumns = 0;
        string? line;
        while ((line = rows.ReadLine()) is not null)
        {
            if (row.Length == 0)
            {
                // The first row fixes the number of columns for the rest of the file.
                int columns = rows.FieldCount(line);
                if (columns <= targetColumns)
                    throw rows.Error($"the row has {columns} fields, so no features besides the {targetColumns} target columns.");
                row = new float[columns];
                featureColumns = columns - targetColumns;
            }
            rows.Parse(line, row);
            features.AddRange(row.AsSpan(0, featureColumns));
            targets.AddRange(row.AsSpan(featureColumns));
        }
        if (row.Length == 0)
            throw new InvalidDataException($"{path}: the file has no data rows.");
        return new Dataset(features.ToArray(), featureColumns, targets.ToArray(), targetColumns);
    }

    /// <summary>Reads non-blank lines and parses their fields, reporting errors with the file and line number.</summary>
    private sealed class RowReader : IDisposable
    {
        private readonly string _path;
        private readonly char _separator;
        private readonly StreamReader _reader;
        private int _lineNumber; // of the line last returned by ReadLine
        private bool _hasPeeked;
        private string? _peeked;
        private int _peekedLineNumber;

        public RowReader(string path, char separator)
        {
            _path = path;
            _separator = separator;
            _reader = new StreamReader(DataStreams.OpenRead(path));
        }

        /// <summary>The next line that is not blank, or null at the end of the file; error messages then refer to it.</summary>
        public string? ReadLine()
        {
            if (_hasPeeked)
            {
                _hasPeeked = false;
                _lineNumber = _peekedLineNumber;
                return _peeked;
            }
            return ReadNonBlank(ref _lineNumber);
        }

        /// <summary>The line the next <see cref="ReadLine"/> will return, without moving past it.</summary>
        public string? PeekLine()
        {
            if (!_hasPeeked)
            {
                _peekedLineNumber = _lineNumber;
                _peeked = ReadNonBlank(ref _peekedLineNumber);
                _hasPeeked = true;
            }
            return _peeked;
        }

        private string? ReadNonBlank(ref int lineNumber)
        {
            string? line;
            do
            {
                line = _reader.ReadLine();
                lineNumber++;
            } while (line is not null && string.IsNullOrWhiteSpace(line));
            return line;
        }

        /// <summary>Whether every field of <paramref name="line"/> is a number.</summary>
        public bool IsNumeric(string line)
        {
            foreach (Range field in line.AsSpan().Split(_separator))
            {
                if (!float.TryParse(line.AsSpan()[field], NumberStyles.Float, CultureInfo.InvariantCulture, out _)) return false;
            }
            return true;
        }

        public int FieldCount(string line) => line.AsSpan().Count(_separator) + 1;

        /// <summary>Parses the fields of <paramref name="line"/> into <paramref name="values"/>, which must match their number.</summary>
        public void Parse(string line, float[] values)
        {
            int fieldCount = FieldCount(line);
            if (fieldCount != values.Length)
                throw Error($"the row has {fieldCount} fields, expected {values.Length}.");

            int i = 0;
            foreach (Range range in line.AsSpan().Split(_separator))
            {
                ReadOnlySpan<char> field = line.AsSpan()[range];
                if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                    throw Error($"field {i + 1} '{field.Trim().ToString()}' is not a number.");
                i++;
            }
        }

        public InvalidDataException Error(string message) => new($"{_path}:{_lineNumber}: {message}");

        public void Dispose() => _reader.Dispose();
    }
}
