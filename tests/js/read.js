// Reads a .bib, CSL-JSON or RIS file with citation-js and prints the CSL-JSON it understood (for the tests).
const fs = require("fs");
const { Cite, plugins } = require("@citation-js/core");
require("@citation-js/plugin-bibtex");
require("@citation-js/plugin-ris");

const [format, path] = process.argv.slice(2);
const text = fs.readFileSync(path, "utf8");
const forceType = { bibtex: "@biblatex/text", csljson: "@csl/list+object", ris: "@ris/file" }[format];
const input = format === "csljson" ? JSON.parse(text) : text;
const cite = new Cite(input, { forceType });
process.stdout.write(JSON.stringify(cite.data));
