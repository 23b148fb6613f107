using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace Compiled;

/// <summary>
/// Loads numeric CSV files into a <see cref="Dataset"/>: plain or gzip-compressed (recognized by content),
/// numbers in invariant culture (<c>1.5</c>, <c>-2e-3</c>), one row per line, blank lines skipped.
/// Quoted fields are not supported. Every number must be finite (<c>NaN</c>, <c>Infinity</c> and <c>1e39</c>
/// are rejected) unless the caller allows NaN features for imputation. Sizes in headers are checked
/// against the rows actually present before anything is allocated, and gzip data against its trailer;
/// every failure is an <see cref="InvalidDataException"/> whose message starts with <c>path:line:</c>.
/// </summary>
public static class Csv
{
    /// <summary>
    /// Loads a classification data set in the layout of the sample UCI files: an optional header line
    /// <c>count,featureCount,className0,className1,...</c>, then rows of features followed by the class
    /// label, a non-negative integer (below the number of class names when there is a header, below
    /// <see cref="Dataset.MaxClassCount"/> always).
    /// </summary>
    /// <remarks>
    /// The first line is taken as a header when one of its fields is not a number (a class name) or when it
    /// has a different number of fields from the next line; <c>digits.csv.gz</c>, for one, has no header.
    /// With a header, the row and feature counts are checked against it; without one, the class count is
    /// the largest label plus one. Features must be finite unless <paramref name="allowNaN"/> is set.
    /// </remarks>
    /// <param name="path">The file, plain or gzip-compressed.</param>
    /// <param name="allowNaN">
    /// Whether a feature may be <c>NaN</c> (a missing value, to be imputed before training). Infinities and
    /// numbers beyond the float range are rejected either way, and so is a NaN label.
    /// </param>
    /// <returns>A dataset with the label as its single target (see <see cref="Dataset.Labels"/>).</returns>
    /// <exception cref="InvalidDataException">
    /// The file is malformed, does not match its header, or holds a non-finite number; the message gives
    /// the file and line (and the field, for a bad number).
    /// </exception>
    public static Dataset LoadUciClassification(string path, bool allowNaN = false) =>
        LoadUciClassification(path, out _, allowNaN);

    /// <summary>
    /// Loads a classification data set like <see cref="LoadUciClassification(string, bool)"/>, also returning the
    /// class names from its header, indexed by label (the labels themselves, "0", "1", ..., without a header).
    /// </summary>
    public static Dataset LoadUciClassification(string path, out string[] classNames, bool allowNaN = false)
    {
        using var rows = new RowReader(path, ',', allowNaN);
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
            if (!TryParseHeader(fields, out expectedRows, out featureCount))
                throw rows.Error($"the header '{first}' is not count,featureCount,className,... (with at least one class).");
            headerNames = fields[2..];
            if (headerNames.Length > Dataset.MaxClassCount)
                throw rows.Error($"the header names {headerNames.Length} classes, more than Dataset.MaxClassCount ({Dataset.MaxClassCount}).");
            for (int c = 0; c < headerNames.Length; c++) headerNames[c] = headerNames[c].Trim();
            line = rows.ReadLine();
            // The header's feature count is checked against a real row before it sizes anything.
            if (line is not null && rows.FieldCount(line) != (long)featureCount + 1)
                throw rows.Error($"the row has {rows.FieldCount(line)} fields, but the header announces {featureCount} features and a label.");
        }
        else
        {
            featureCount = rows.FieldCount(first) - 1;
            if (featureCount <= 0)
                throw rows.Error("the row has a single field; expected features followed by a label.");
        }

        var features = new List<float>();
        var labels = new List<int>();
        float[] row = line is null ? [] : new float[featureCount + 1];
        int classLimit = headerNames?.Length ?? Dataset.MaxClassCount;
        for (; line is not null; line = rows.ReadLine())
        {
            rows.Parse(line, row, nanColumns: featureCount);
            float label = row[featureCount];
            if (!(label >= 0 && label < classLimit && label == MathF.Floor(label)))
                throw rows.Error(headerNames is null
                    ? $"the label '{LastField(line)}' (last field) is not a non-negative integer below {Dataset.MaxClassCount} (Dataset.MaxClassCount)."
                    : $"the label '{LastField(line)}' (last field) is not a class index in [0, {headerNames.Length}).");
            features.AddRange(row.AsSpan(0, featureCount));
            labels.Add((int)label);
        }
        if (hasHeader && labels.Count != expectedRows)
            throw new InvalidDataException($"{path}: the header announces {expectedRows} rows, but the file has {labels.Count}.");

        var data = Dataset.FromLabels(features.ToArray(), featureCount, labels.ToArray());
        classNames = headerNames ?? LabelNames(data.ClassCount());
        return data;
    }

    /// <summary>
    /// The scikit-learn header "count,featureCount,className,…": both counts as integers (count ≥ 0,
    /// featureCount &gt; 0) and at least one class name. The outs are assigned on every path, so that each
    /// condition can be read (and mutation-tested) on its own.
    /// </summary>
    private static bool TryParseHeader(string[] fields, out int rows, out int features)
    {
        rows = 0;
        features = 0;
        if (fields.Length < 3) return false;
        if (!int.TryParse(fields[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out rows) || rows < 0) return false;
        return int.TryParse(fields[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out features) && features > 0;
    }

    private static string LastField(string line) => line[(line.LastIndexOf(',') + 1)..].Trim();

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
    /// <param name="allowNaN">
    /// Whether a feature may be <c>NaN</c> (a missing value, to be imputed before training). Infinities and
    /// numbers beyond the float range are rejected either way, and so are NaN targets.
    /// </param>
    /// <exception cref="InvalidDataException">
    /// A field is not a finite number (see <paramref name="allowNaN"/>), the rows differ in length, or there
    /// are no rows; the message gives the file and line (and the field, for a bad number).
    /// </exception>
    public static Dataset Load(string path, int targetColumns = 1, bool hasHeader = true, char separator = ',', bool allowNaN = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetColumns);
        using var rows = new RowReader(path, separator, allowNaN);
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
            rows.Parse(line, row, nanColumns: featureColumns);
            features.AddRange(row.AsSpan(0, featureColumns));
            targets.AddRange(row.AsSpan(featureColumns));
        }
        if (row.Length == 0)
            throw new InvalidDataException($"{path}: the file has no data rows.");
        return new Dataset(features.ToArray(), featureColumns, targets.ToArray(), targetColumns);
    }

    /// <summary>Reads non-blank lines and parses their fields, reporting errors with the file and line number.</summary>
    /// <summary>
    /// Loads a table whose first line names its columns, taking the columns named in
    /// <paramref name="targetColumns"/> as targets (in that order) and every other column as a feature (in file
    /// order): for files where the target is not the last column, or where several are.
    /// </summary>
    /// <param name="path">The file, plain or gzip-compressed.</param>
    /// <param name="targetColumns">Names from the header (matched exactly, surrounding spaces ignored).</param>
    /// <param name="separator">The field separator, such as ',' or ';' or '\t'.</param>
    /// <param name="allowNaN">Whether a feature may be NaN (targets never).</param>
    /// <exception cref="ArgumentException">A target name is not in the header, or is given twice.</exception>
    /// <exception cref="InvalidDataException">The file is malformed (see <see cref="Load(string, int, bool, char, bool)"/>).</exception>
    public static Dataset Load(string path, string[] targetColumns, char separator = ',', bool allowNaN = false)
    {
        ArgumentNullException.ThrowIfNull(targetColumns);
        if (targetColumns.Length == 0) throw new ArgumentException("Name at least one target column.", nameof(targetColumns));
        var (values, columns, rowCount, header) = ReadTable(path, hasHeader: true, separator, allowNaN);
        var targetIndex = new int[targetColumns.Length];
        for (int k = 0; k < targetColumns.Length; k++)
        {
            int at = Array.FindIndex(header!, h => h == targetColumns[k].Trim());
            if (at < 0) throw new ArgumentException($"{path}: no column named '{targetColumns[k]}'; the header has {string.Join(", ", header!)}.", nameof(targetColumns));
            if (Array.IndexOf(targetIndex, at, 0, k) >= 0) throw new ArgumentException($"Column '{targetColumns[k]}' is named twice.", nameof(targetColumns));
            targetIndex[k] = at;
        }
        return SplitColumns(path, values, columns, rowCount, header, targetIndex, nameof(targetColumns));
    }

    /// <summary>
    /// Loads a numeric table taking the columns at the 0-based positions <paramref name="targetColumns"/> as targets
    /// (in that order) and every other column as a feature (in file order): for files without a header, or whose
    /// target is not the last column. Column 0 is the first.
    /// </summary>
    /// <param name="path">The file, plain or gzip-compressed.</param>
    /// <param name="targetColumns">0-based column positions, each in [0, columns) and given once.</param>
    /// <param name="hasHeader">Whether the first non-blank line is a header, to be skipped.</param>
    /// <param name="separator">The field separator, such as ',' or ';' or '\t'.</param>
    /// <param name="allowNaN">Whether a feature may be NaN (targets never).</param>
    /// <exception cref="ArgumentException">A position is outside the table's columns, or is given twice.</exception>
    /// <exception cref="InvalidDataException">The file is malformed (see <see cref="Load(string, int, bool, char, bool)"/>).</exception>
    public static Dataset Load(string path, int[] targetColumns, bool hasHeader = true, char separator = ',', bool allowNaN = false)
    {
        ArgumentNullException.ThrowIfNull(targetColumns);
        if (targetColumns.Length == 0) throw new ArgumentException("Give at least one target column.", nameof(targetColumns));
        var (values, columns, rowCount, header) = ReadTable(path, hasHeader, separator, allowNaN);
        for (int k = 0; k < targetColumns.Length; k++)
        {
            int at = targetColumns[k];
            if (at < 0 || at >= columns)
                throw new ArgumentException($"{path}: target column {at} does not exist; the table has columns 0 to {columns - 1}.", nameof(targetColumns));
            if (Array.IndexOf(targetColumns, at, 0, k) >= 0) throw new ArgumentException($"Column {at} is given twice.", nameof(targetColumns));
        }
        return SplitColumns(path, values, columns, rowCount, header, (int[])targetColumns.Clone(), nameof(targetColumns));
    }

    /// <summary>The targets at <paramref name="targetIndex"/> (in that order) and the other columns as features.</summary>
    private static Dataset SplitColumns(string path, float[] values, int columns, int rowCount, string[]? header, int[] targetIndex, string parameter)
    {
        if (targetIndex.Length >= columns) throw new ArgumentException($"{path}: every column would be a target; no features are left.", parameter);
        var isTarget = new bool[columns];
        foreach (int t in targetIndex) isTarget[t] = true;
        int featureCount = columns - targetIndex.Length;
        var features = new float[(long)rowCount * featureCount];
        var targets = new float[(long)rowCount * targetIndex.Length];
        for (int r = 0; r < rowCount; r++)
        {
            var row = values.AsSpan(r * columns, columns);
            int f = 0;
            for (int c = 0; c < columns; c++) if (!isTarget[c]) features[(long)r * featureCount + f++] = row[c];
            for (int k = 0; k < targetIndex.Length; k++)
            {
                float v = row[targetIndex[k]];
                if (float.IsNaN(v))
                {
                    string name = header is null ? $"column {targetIndex[k]}" : $"'{header[targetIndex[k]]}'";
                    throw new InvalidDataException($"{path}: data row {r + 1}: target {name} is NaN; targets must be numbers.");
                }
                targets[(long)r * targetIndex.Length + k] = v;
            }
        }
        return new Dataset(features, featureCount, targets, targetIndex.Length);
    }

    /// <summary>
    /// Loads features and targets kept in two files with the same number of rows (plain or gzip, optional
    /// header lines skipped): every column of <paramref name="featuresPath"/> is a feature, every column of
    /// <paramref name="targetsPath"/> a target.
    /// </summary>
    /// <exception cref="InvalidDataException">Either file is malformed, or their row counts differ.</exception>
    public static Dataset Load(string featuresPath, string targetsPath, bool hasHeader = false, char separator = ',', bool allowNaN = false)
    {
        var (x, featureCount, rows, _) = ReadTable(featuresPath, hasHeader, separator, allowNaN);
        var (t, targetCount, targetRows, _) = ReadTable(targetsPath, hasHeader, separator, allowNaN: false);
        if (rows != targetRows)
            throw new InvalidDataException($"{featuresPath} has {rows} data rows but {targetsPath} has {targetRows}: they must match row for row.");
        return new Dataset(x, featureCount, t, targetCount);
    }

    /// <summary>Every row of a numeric table, row-major, with the header's names when there is one.</summary>
    private static (float[] Values, int Columns, int Rows, string[]? Header) ReadTable(string path, bool hasHeader, char separator, bool allowNaN)
    {
        using var rows = new RowReader(path, separator, allowNaN);
        string[]? header = null;
        if (hasHeader)
        {
            string first = rows.ReadLine() ?? throw rows.Error("the file is empty; expected a header line.");
            header = first.Split(separator);
            for (int i = 0; i < header.Length; i++) header[i] = header[i].Trim();
        }
        var values = new List<float>();
        float[] row = [];
        int count = 0;
        string? line;
        while ((line = rows.ReadLine()) is not null)
        {
            if (row.Length == 0)
            {
                int columns = rows.FieldCount(line);
                if (header is not null && header.Length != columns)
                    throw rows.Error($"the row has {columns} fields but the header names {header.Length} columns.");
                row = new float[columns];
            }
            rows.Parse(line, row, nanColumns: allowNaN ? row.Length : 0);
            values.AddRange(row);
            count++;
        }
        if (count == 0) throw new InvalidDataException($"{path}: the file has no data rows.");
        return (values.ToArray(), row.Length, count, header);
    }

    private sealed class RowReader : IDisposable
    {
        private readonly string _path;
        private readonly char _separator;
        private readonly bool _allowNaN;
        private readonly StreamReader _reader;
        private int _lineNumber; // of the line last returned by ReadLine
        private bool _hasPeeked;
        private string? _peeked;
        private int _peekedLineNumber;

        public RowReader(string path, char separator, bool allowNaN)
        {
            _path = path;
            _separator = separator;
            _allowNaN = allowNaN;
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

        /// <summary>
        /// Parses the fields of <paramref name="line"/> into <paramref name="values"/>, which must match their
        /// number. Every value must be finite, except that with allowNaN the first <paramref name="nanColumns"/>
        /// (the features) may be NaN.
        /// </summary>
        public void Parse(string line, float[] values, int nanColumns)
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
                // float.TryParse accepts "NaN" and "Infinity" and turns 1e39 into infinity; none is a usable value.
                if (!float.IsFinite(values[i]) && !(_allowNaN && i < nanColumns && float.IsNaN(values[i])))
                    throw Error(float.IsNaN(values[i])
                        ? $"field {i + 1} '{field.Trim().ToString()}' is NaN; missing values are rejected unless allowNaN is set, and then only in features."
                        : $"field {i + 1} '{field.Trim().ToString()}' is not a finite float (infinite, or beyond ±3.4e38).");
                i++;
            }
        }

        public InvalidDataException Error(string message) => new($"{_path}:{_lineNumber}: {message}");

        public void Dispose() => _reader.Dispose();
    }
}
