using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Compiled.Tests.Fixtures;

/// <summary>
/// One PyTorch reference fixture (tests/Compiled.Tests/Fixtures/Images/&lt;name&gt;.json, written by
/// tests/fixtures/make_image_fixtures.py and copied next to the test binary): a thin typed view over the
/// JSON object. Fields are looked up by their JSON name; a missing field or one of the wrong JSON type
/// throws (<see cref="KeyNotFoundException"/>, <see cref="InvalidOperationException"/>), so a typo never
/// reads as zero. Conventions (NCHW, weight layouts, padding) are in tests/fixtures/README.md.
/// </summary>
public sealed class TorchFixture
{
    private readonly JsonElement _root;

    private TorchFixture(string name, JsonElement root)
    {
        Name = name;
        _root = root;
    }

    /// <summary>The fixture's file name without ".json".</summary>
    public string Name { get; }

    /// <summary>The folder the fixtures are copied to: &lt;test output&gt;/Fixtures/Images.</summary>
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Images");

    /// <summary>Reads Fixtures/Images/<paramref name="name"/>.json from the test output directory.</summary>
    public static TorchFixture Load(string name)
    {
        var path = Path.Combine(Directory, name + ".json");
        if (!File.Exists(path))
            throw new FileNotFoundException($"No fixture '{name}' (looked for {path}).", path);
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"Fixture '{name}' is not a JSON object.");
        return new TorchFixture(name, document.RootElement.Clone());
    }

    /// <summary>The names of every fixture present, sorted ordinally.</summary>
    public static IReadOnlyList<string> Names() =>
        System.IO.Directory.GetFiles(Directory, "*.json")
            .Select(p => Path.GetFileNameWithoutExtension(p))
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToArray();

    /// <summary>Whether the fixture has a field named <paramref name="field"/>.</summary>
    public bool Has(string field) => _root.TryGetProperty(field, out _);

    /// <summary>A string field, e.g. "kind", "padding", "pool".</summary>
    public string String(string field) => Get(field, JsonValueKind.String).GetString()!;

    /// <summary>An integer field, e.g. "batch", "groups", "pad_top".</summary>
    public int Int(string field) => ToInt(Get(field, JsonValueKind.Number), field);

    /// <summary>A boolean field, e.g. "use_bias".</summary>
    public bool Bool(string field)
    {
        var e = Get(field);
        return e.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw WrongKind(field, "a boolean", e.ValueKind),
        };
    }

    /// <summary>A number field as double, e.g. "loss".</summary>
    public double Number(string field) => Get(field, JsonValueKind.Number).GetDouble();

    /// <summary>An integer array field, e.g. "kernel", "stride", "input_shape", "labels".</summary>
    public int[] Ints(string field) => Elements(field).Select(e => ToInt(e, field)).ToArray();

    /// <summary>A number array field as stored (float64), e.g. "y".</summary>
    public double[] Doubles(string field) => Elements(field).Select(e => Numeric(e, field)).ToArray();

    /// <summary>A number array field rounded to float, e.g. "x", "weight", "dx"; [] for an empty array.</summary>
    public float[] Floats(string field) => Elements(field).Select(e => (float)Numeric(e, field)).ToArray();

    /// <summary>A string array field, e.g. "parameter_names".</summary>
    public string[] Strings(string field) =>
        Elements(field).Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw WrongKind(field, "a string element", e.ValueKind)).ToArray();

    public override string ToString() => Name;

    private JsonElement Get(string field)
    {
        if (!_root.TryGetProperty(field, out var value))
            throw new KeyNotFoundException($"Fixture '{Name}' has no field '{field}'.");
        return value;
    }

    private JsonElement Get(string field, JsonValueKind kind)
    {
        var value = Get(field);
        if (value.ValueKind != kind)
            throw WrongKind(field, kind.ToString(), value.ValueKind);
        return value;
    }

    private JsonElement.ArrayEnumerator Elements(string field) => Get(field, JsonValueKind.Array).EnumerateArray();

    private double Numeric(JsonElement e, string field) =>
        e.ValueKind == JsonValueKind.Number ? e.GetDouble() : throw WrongKind(field, "a number element", e.ValueKind);

    private int ToInt(JsonElement e, string field) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var v) ? v : throw WrongKind(field, "an int", e.ValueKind);

    private InvalidOperationException WrongKind(string field, string expected, JsonValueKind actual) =>
        new($"Fixture '{Name}' field '{field}': expected {expected}, found {actual}.");
}
