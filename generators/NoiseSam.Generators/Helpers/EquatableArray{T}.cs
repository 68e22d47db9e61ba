using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace NoiseSam.Generators.Helpers;

/// <summary>An immutable array with value equality, so pipeline models compare by content.</summary>
internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IEnumerable<T>
    where T : IEquatable<T>
{
    private readonly T[]? array;

    public EquatableArray(T[] array) => this.array = array;

    public static EquatableArray<T> Empty => new(Array.Empty<T>());

    public int Length => array?.Length ?? 0;

    public T this[int index] => array![index];

    public bool Equals(EquatableArray<T> other)
    {
        T[] left = array ?? Array.Empty<T>(), right = other.array ?? Array.Empty<T>();
        if (left.Length != right.Length) return false;
        for (int i = 0; i < left.Length; i++)
            if (!EqualityComparer<T>.Default.Equals(left[i], right[i])) return false;
        return true;
    }

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        int hash = 17;
        foreach (T item in array ?? Array.Empty<T>())
            hash = unchecked((hash * 31) + (item is null ? 0 : item.GetHashCode()));
        return hash;
    }

    public ImmutableArray<T> AsImmutableArray() => array is null ? ImmutableArray<T>.Empty : ImmutableArray.Create(array);

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(array ?? Array.Empty<T>())).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);

    public static implicit operator EquatableArray<T>(ImmutableArray<T> array) => new(array.IsDefault ? Array.Empty<T>() : array.ToArray());
}

internal static class EquatableArrayExtensions
{
    public static EquatableArray<T> AsEquatableArray<T>(this ImmutableArray<T> array)
        where T : IEquatable<T> => array;
}
