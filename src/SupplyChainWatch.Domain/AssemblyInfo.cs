namespace SupplyChainWatch.Domain;
