// Verifies JWTs as SeaTable's Node servers do: `jsonwebtoken.verify(token, key)` (npm).
//
// Reads {"key", "clock_offset", "tokens": {name: token}} on standard input, where
// clock_offset moves the verifier's clock in seconds (negative: it runs behind the
// issuer's), and prints {name: {"ok", "error", "claims"}}.
"use strict";

const jwt = require("jsonwebtoken");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const request = JSON.parse(input);
  const clockTimestamp = Math.floor(Date.now() / 1000) + (request.clock_offset || 0);
  const results = {};
  for (const [name, token] of Object.entries(request.tokens)) {
    // The only option is the clock: SeaTable's call passes none.
    const options = request.clock_offset ? { clockTimestamp } : undefined;
    try {
      const claims = jwt.verify(token, request.key, options);
      results[name] = { ok: true, error: null, claims };
    } catch (err) {
      results[name] = { ok: false, error: `${err.name}: ${err.message}`, claims: null };
    }
  }
  process.stdout.write(JSON.stringify(results));
});
