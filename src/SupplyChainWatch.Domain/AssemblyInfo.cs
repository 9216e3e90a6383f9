using System.Runtime.CompilerServices;

// The tests and the engine benchmark compare SubjectState's fast (running-sum) and exact (term-by-term) score paths.
[assembly: InternalsVisibleTo("SupplyChainWatch.Domain.Tests")]
[assembly: InternalsVisibleTo("SupplyChainWatch.Bench.Domain")]

namespace SupplyChainWatch.Domain;
