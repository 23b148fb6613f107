// netstandard2.0 lacks these; the compiler needs IsExternalInit for records and init accessors.
namespace System.Runtime.CompilerServices
{
    internal static class IsExternalInit { }
}
