namespace SupplyChainWatch.Grains;
