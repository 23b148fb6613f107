using System;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Compiled.Kernels;

/// <summary>
/// Argument checks shared by the public kernels, run once per call before any unchecked access. Sizes are
/// multiplied in <see cref="long"/>, so a product such as 65537 × 65536 that wraps in <see cref="int"/> is
/// compared at its true value and refused instead of letting a kernel read past its span. The checks are
/// O(1) and inlined; building the message is left to non-inlined throw helpers so the hot path stays small.
/// </summary>
internal static class KernelChecks
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> if <paramref name="value"/> is negative.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NonNegative(int value, string name)
    {
        if (value < 0) ThrowNegative(name, value);
    }

    /// <summary>
    /// Checks a row-major rows × columns matrix: both sizes non-negative (else
    /// <see cref="ArgumentOutOfRangeException"/> naming the size), and <paramref name="length"/> at least
    /// rows · columns, computed in <see cref="long"/> (else <see cref="ArgumentException"/> naming the span).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AtLeast(int length, int rows, int columns, string spanName, string rowsName, string columnsName)
    {
        if (rows < 0) ThrowNegative(rowsName, rows);
        if (columns < 0) ThrowNegative(columnsName, columns);
        if (length < (long)rows * columns) ThrowTooShort(spanName, length, rows, columns, rowsName, columnsName);
    }

    /// <summary>Like <see cref="AtLeast"/>, but the span must hold exactly rows · columns values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Exactly(int length, int rows, int columns, string spanName, string rowsName, string columnsName)
    {
        if (rows < 0) ThrowNegative(rowsName, rows);
        if (columns < 0) ThrowNegative(columnsName, columns);
        if (length != (long)rows * columns) ThrowWrongLength(spanName, length, rows, columns, rowsName, columnsName);
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="length"/> equals <paramref name="expected"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void SameLength(int length, int expected, string spanName, string expectedName)
    {
        if (length != expected) ThrowLengthMismatch(spanName, length, expected, expectedName);
    }

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNegative(string name, int value) =>
        throw new ArgumentOutOfRangeException(name, value, $"{name} must be non-negative; it is {value}.");

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowTooShort(string spanName, int length, int rows, int columns, string rowsName, string columnsName) =>
        throw new ArgumentException(
            $"{spanName} holds {length} values, but {rowsName} × {columnsName} = {rows} × {columns} needs {(long)rows * columns}.", spanName);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowWrongLength(string spanName, int length, int rows, int columns, string rowsName, string columnsName) =>
        throw new ArgumentException(
            $"{spanName} holds {length} values, but {rowsName} × {columnsName} = {rows} × {columns} needs exactly {(long)rows * columns}.", spanName);

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowLengthMismatch(string spanName, int length, int expected, string expectedName) =>
        throw new ArgumentException($"{spanName} holds {length} values; it must hold {expected}, as many as {expectedName}.", spanName);
}
