namespace SupplyChainWatch.Contracts;
