// A second SHACL engine (Zazuko's rdf-validate-shacl, on the RDF/JS stack) for
// data/shapes.ttl: prints whether DATA.ttl conforms and, for each violation, the focus node,
// the path, the constraint component, the severity and the message, one per line, sorted.
// Usage: node validate.mjs SHAPES.ttl DATA.ttl   (exit 0 when it conforms, 1 otherwise)
import rdf from '@zazuko/env-node'
import SHACLValidator from 'rdf-validate-shacl'

const [shapesFile, dataFile] = process.argv.slice(2)
const shapes = await rdf.dataset().import(rdf.fromFile(shapesFile))
const data = await rdf.dataset().import(rdf.fromFile(dataFile))
const report = await new SHACLValidator(shapes, { factory: rdf }).validate(data)
const lines = report.results.map((r) => {
  const message = r.message.map((m) => m.value).join(' ')
  return `${r.focusNode.value} ${r.path ? r.path.value : '-'} ${r.sourceConstraintComponent.value.split('#')[1]} ${r.severity.value.split('#')[1]}: ${message}`
})
console.log(`conforms: ${report.conforms}`)
for (const line of [...new Set(lines)].sort()) console.log(line)
process.exit(report.conforms ? 0 : 1)
