using System.Collections.Generic;
using System.Linq;
using Compiled.Generator.Emit;
using Compiled.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Compiled.Generator.Parsing;

/// <summary>
/// What the user wrote in the class itself that the generated half could collide with: members named
/// like generated ones, constructors, a primary constructor, a base class the generated constructors
/// cannot call. Each becomes a CMP error at the user's code, instead of C# errors inside the
/// generated file that the user never wrote.
/// </summary>
internal static class MemberChecks
{
    /// <summary>Adds the diagnostics for <paramref name="symbol"/>'s own members and base class.</summary>
    /// <param name="generated">The members the generated half will have (<see cref="NetworkEmitter.GeneratedMemberNames"/>).</param>
    public static void Check(INamedTypeSymbol symbol, string className, Dictionary<string, string> generated, List<DiagnosticInfo> diagnostics)
    {

        foreach (var member in symbol.GetMembers())
        {
            if (member.IsImplicitlyDeclared || member.Locations.IsEmpty) continue;
            if (member is IMethodSymbol { MethodKind: MethodKind.Constructor } constructor)
            {
                CheckConstructor(constructor, className, diagnostics);
                continue;
            }
            // Accessors, operators, explicit interface implementations and finalizers have names no generated member takes.
            if (member is IMethodSymbol { MethodKind: not MethodKind.Ordinary }) continue;
            if (generated.TryGetValue(member.Name, out string? kind))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberClash, member.Locations[0], member.Name, className, kind));
        }

        // Inherited members: the generated one would hide them (CS0108) or fail to override them.
        var classLocation = symbol.Locations.FirstOrDefault();
        for (var type = symbol.BaseType; type is not null && type.SpecialType != SpecialType.System_Object; type = type.BaseType)
            foreach (var member in type.GetMembers())
                if (!member.IsImplicitlyDeclared && member.DeclaredAccessibility != Accessibility.Private
                    && member is not IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor }
                    && generated.TryGetValue(member.Name, out string? kind))
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberClash, BaseTypeLocation(symbol) ?? classLocation,
                        $"{type.Name}.{member.Name}", className, kind + ", inherited members cannot share its name"));

        CheckBaseConstructor(symbol, className, diagnostics);
        CheckPrimaryConstructor(symbol, className, diagnostics);
    }

    private static void CheckConstructor(IMethodSymbol constructor, string className, List<DiagnosticInfo> diagnostics)
    {
        if (constructor.IsStatic) return;
        // A primary constructor has its own diagnostic (CMP020).
        if (constructor.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax)) return;
        var location = constructor.Locations[0];
        var parameters = constructor.Parameters;
        if (parameters.Length == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ConstructorClash, location, className,
                $"the generator declares '{className}()', which initializes the weights from DefaultSeed: remove this constructor"));
            return;
        }
        if (parameters.Length == 1 && parameters[0].Type.SpecialType == SpecialType.System_Int64)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ConstructorClash, location, className,
                $"the generator declares '{className}(long seed)', which initializes the weights from the seed: remove this constructor or give it other parameters"));
            return;
        }
        // Any other constructor must run a generated one, or the network starts with all weights zero.
        foreach (var reference in constructor.DeclaringSyntaxReferences)
            if (reference.GetSyntax() is ConstructorDeclarationSyntax { Initializer: null or { ThisOrBaseKeyword.Text: "base" } })
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ConstructorClash, location, className,
                    "this constructor does not call a generated one, so the weights would stay zero: add ': this(seed)' or ': this()'"));
    }

    private static void CheckBaseConstructor(INamedTypeSymbol symbol, string className, List<DiagnosticInfo> diagnostics)
    {
        var baseType = symbol.BaseType;
        if (baseType is null || baseType.SpecialType == SpecialType.System_Object || baseType.TypeKind == TypeKind.Error) return;
        bool callable = baseType.InstanceConstructors.Any(c =>
            c.DeclaredAccessibility is Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal
                || (c.DeclaredAccessibility is Accessibility.Internal or Accessibility.ProtectedAndInternal
                    && SymbolEqualityComparer.Default.Equals(c.ContainingAssembly, symbol.ContainingAssembly))
            ? c.Parameters.All(p => p.IsOptional || p.IsParams)
            : false);
        if (!callable)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.BaseWithoutParameterlessConstructor,
                BaseTypeLocation(symbol) ?? symbol.Locations.FirstOrDefault(), className, baseType.ToDisplayString()));
    }

    private static void CheckPrimaryConstructor(INamedTypeSymbol symbol, string className, List<DiagnosticInfo> diagnostics)
    {
        foreach (var reference in symbol.DeclaringSyntaxReferences)
            if (reference.GetSyntax() is ClassDeclarationSyntax { ParameterList: { } parameters })
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PrimaryConstructor, parameters.GetLocation(), className));
    }

    /// <summary>The base class as written in a base list, for diagnostics about it.</summary>
    private static Location? BaseTypeLocation(INamedTypeSymbol symbol)
    {
        foreach (var reference in symbol.DeclaringSyntaxReferences)
            if (reference.GetSyntax() is TypeDeclarationSyntax { BaseList: { } list } && list.Types.Count > 0)
                return list.Types[0].GetLocation();
        return null;
    }
}
