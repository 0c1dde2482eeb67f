// Reads Arrow IPC files written by genbench with Apache Arrow's JavaScript implementation and prints, per file,
// the schema as this reader understands it and every value of every column, as JSON on stdout. NotebooksIT
// compares this with the Java side's view: a second, independent implementation agreeing on the bytes is the
// evidence that "any Arrow reader" can read a run.
//
// usage: node check.mjs FILE.arrow...
import { readFileSync } from 'node:fs';
import { tableFromIPC, DataType } from 'apache-arrow';

function column(table, field) {
  const vector = table.getChild(field.name);
  const type = field.type;
  const out = {
    name: field.name,
    type: String(type),
    metadata: Object.fromEntries(field.metadata ?? new Map()),
    rows: vector.length,
    listSize: DataType.isFixedSizeList(type) ? type.listSize : 1,
    values: [],
  };
  for (let i = 0; i < vector.length; i++) {
    const cell = vector.get(i);
    if (cell === null) {
      throw new Error(`${field.name}: null at row ${i}`);
    }
    if (DataType.isFixedSizeList(type)) {
      for (const v of cell) out.values.push(Number(v));
    } else {
      out.values.push(Number(cell));
    }
  }
  return out;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node check.mjs FILE.arrow...');
  process.exit(2);
}
const report = files.map((file) => {
  const table = tableFromIPC(readFileSync(file));
  return {
    file,
    rows: table.numRows,
    schemaMetadata: Object.fromEntries(table.schema.metadata ?? new Map()),
    columns: table.schema.fields.map((f) => column(table, f)),
  };
});
process.stdout.write(JSON.stringify(report) + '\n');
