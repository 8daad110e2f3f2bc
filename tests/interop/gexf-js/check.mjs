// Reads histkg's GEXF exports with graphology-gexf (npm) and checks the counts of nodes and
// edges (and that the graph is directed and multi, as the file declares parallel edges by
// kind) against what rdflib counted (passed on the command line by tests/interop/gexf.py).
// Usage: node check.mjs FILE NODES EDGES [FILE NODES EDGES ...]
import { readFileSync } from "node:fs";
import Graph from "graphology";
import gexf from "graphology-gexf";

const args = process.argv.slice(2);
let failed = false;
for (let i = 0; i < args.length; i += 3) {
  const [file, nodes, edges] = [args[i], Number(args[i + 1]), Number(args[i + 2])];
  const graph = gexf.parse(Graph, readFileSync(file, "utf8"), { allowUndeclaredAttributes: true });
  const got = [graph.order, graph.size];
  const first = graph.edges()[0];
  console.log(
    `graphology-gexf: ${file.split("/").pop()}: ${got[0]} nodes, ${got[1]} edges (rdflib counts ${nodes}, ${edges}); ` +
      `${graph.type}, multi ${graph.multi}; first edge ${first} ${JSON.stringify(graph.getEdgeAttributes(first))}`,
  );
  if (got[0] !== nodes || got[1] !== edges || graph.type !== "directed") failed = true;
}
process.exit(failed ? 1 : 0);
