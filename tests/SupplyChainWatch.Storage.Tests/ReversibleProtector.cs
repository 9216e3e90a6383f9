using System.Text;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Storage.Tests;

/// <summary>Stands in for Data Protection in storage tests: reversible, and visibly not the clear text.</summary>
public sealed class ReversibleProtector : IConfidentialTextProtector
{
    public const string Prefix = "protected:";

    public string Protect(string plaintext) => Prefix + Convert.ToBase64String(Encoding.UTF8.GetBytes(plaintext));

    public string Unprotect(string protectedText) => Encoding.UTF8.GetString(Convert.FromBase64String(protectedText[Prefix.Length..]));
}
