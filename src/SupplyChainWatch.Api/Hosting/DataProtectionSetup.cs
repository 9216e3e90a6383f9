using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.Repositories;
using SupplyChainWatch.Storage;

namespace SupplyChainWatch.Api.Hosting;

/// <summary>Data Protection's key ring in the service's database (see <see cref="SqlDataProtectionKeyStore"/>).</summary>
public sealed class DatabaseXmlRepository(SqlDataProtectionKeyStore store) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() => [.. store.ReadAll().Select(XElement.Parse)];

    public void StoreElement(XElement element, string friendlyName) =>
        store.Store(friendlyName, element.ToString(SaveOptions.DisableFormatting));
}

/// <summary>
/// Encrypts confidential text with a purpose of its own (grievance narratives and contacts; webhook signing secrets),
/// so no protector of another purpose can read it.
/// </summary>
public sealed class DataProtectionTextProtector(IDataProtectionProvider provider, string purpose) : IConfidentialTextProtector
{
    public const string GrievanceVaultPurpose = "SupplyChainWatch.GrievanceVault.v1";
    public const string WebhookSecretsPurpose = "SupplyChainWatch.WebhookSecrets.v1";
    public const string ConfidentialMacKeysPurpose = "SupplyChainWatch.ConfidentialMacKeys.v1";

    private readonly IDataProtector _protector = provider.CreateProtector(purpose);

    public string Protect(string plaintext) => _protector.Protect(plaintext);

    public string Unprotect(string protectedText) => _protector.Unprotect(protectedText);
}
