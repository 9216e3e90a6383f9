// Reads captured deliveries (JSON array of {secret, id, timestamp, signature, body}) from stdin and verifies each one
// with the standardwebhooks package, so the C# tests check interoperability rather than agreement with themselves.
// Prints one JSON line: {"verified": n, "failures": [{"id", "error"}]}.
const { Webhook } = require("standardwebhooks");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const deliveries = JSON.parse(input);
  const failures = [];
  let verified = 0;
  for (const d of deliveries) {
    try {
      const payload = new Webhook(d.secret).verify(d.body, {
        "webhook-id": d.id,
        "webhook-timestamp": d.timestamp,
        "webhook-signature": d.signature,
      });
      if (typeof payload.type !== "string") {
        throw new Error("verified payload has no type");
      }
      verified++;
    } catch (error) {
      failures.push({ id: d.id, error: String(error && error.message ? error.message : error) });
    }
  }
  process.stdout.write(JSON.stringify({ verified, failures }) + "\n");
});
