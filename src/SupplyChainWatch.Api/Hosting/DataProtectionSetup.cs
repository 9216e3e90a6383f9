using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.Repositories;
using SupplyChainWatch.Grains.Storage;

namespace SupplyChainWatch.Api.Hosting;

/// <summary>Data Protection's key ring in the service's database (see <see cref="SqlDataProtectionKeyStore"/>).</summary>
public sealed class DatabaseXmlRepository(SqlDataProtectionKeyStore store) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() => [.. store.ReadAll().Select(XElement.Parse)];

    public void StoreElement(XElement element, string friendlyName) =>
        store.Store(friendlyName, element.ToString(SaveOptions.DisableFormatting));
}

/// <summary>Encrypts grievance narratives and contacts with a purpose of their own, so no other protector can read them.</summary>
public sealed class DataProtectionTextProtector(IDataProtectionProvider provider) : IConfidentialTextProtector
{
    private readonly IDataProtector _protector = provider.CreateProtector("SupplyChainWatch.GrievanceVault.v1");

    public string Protect(string plaintext) => _protector.Protect(plaintext);

    public string Unprotect(string protectedText) => _protector.Unprotect(protectedText);
}
