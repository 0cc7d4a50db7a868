// A canonical text of the shapes that cross the worker boundary and land on disk, read from the TypeScript types
// themselves (the compiler API): every named interface or type alias of engine/ reachable from the roots, with its
// properties (sorted, optional marked) and their types, unions sorted. Lib types (Float32Array, Uint8Array) are
// named, not expanded; ExperimentSpec is named too (it has its own contract: engine/spec.ts, DESIGN 2.1).
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ShapeRoots {
  file: string; // relative to the repository root
  names: string[];
}

const OPAQUE_FILES = [path.join(ROOT, 'engine/spec.ts')];

function compilerOptions(): ts.CompilerOptions {
  const cfg = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), ts.sys.readFile);
  const options = ts.parseJsonConfigFileContent(cfg.config, ts.sys, ROOT).options;
  // The shapes need only the ES library (typed arrays, Record): no DOM, no Node typings, much faster.
  return { ...options, lib: ['lib.es2022.d.ts'], types: [], noEmit: true };
}

/** A program over `roots`, with some files' text replaced (to show that a change is seen). */
export function shapeProgram(
  roots: ShapeRoots[],
  overrides: Record<string, string> = {},
  old?: ts.Program,
): ts.Program {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const over = new Map(Object.entries(overrides).map(([f, text]) => [path.join(ROOT, f), text]));
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, lang, onError, create) => {
    // tfjs's typings are large and no shape here uses them: an empty module instead (4x faster)
    const text =
      over.get(path.resolve(file)) ?? (file.includes('/node_modules/@tensorflow/') ? 'export {};' : undefined);
    return text !== undefined
      ? ts.createSourceFile(file, text, lang, true)
      : getSourceFile(file, lang, onError, create);
  };
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => over.get(path.resolve(file)) ?? readFile(file);
  return ts.createProgram(
    roots.map((r) => path.join(ROOT, r.file)),
    options,
    host,
    old,
  );
}

/** The canonical description of the roots' types (and everything named they reach), one definition per line. */
export function describeShapes(program: ts.Program, roots: ShapeRoots[]): string {
  const checker = program.getTypeChecker();
  const defs = new Map<string, string>();
  const queue: [string, ts.Type][] = [];
  const inProject = (d: ts.Declaration) => {
    const f = path.resolve(d.getSourceFile().fileName);
    return f.startsWith(path.join(ROOT, 'engine') + path.sep);
  };

  /** A named project type: its name (defined once, below); a lib type: its name; else null. */
  const nameOf = (t: ts.Type): string | null => {
    const alias = t.aliasSymbol;
    if (alias?.declarations?.some(inProject)) {
      if (alias.declarations.some((d) => OPAQUE_FILES.includes(path.resolve(d.getSourceFile().fileName))))
        return alias.name;
      if (!defs.has(alias.name)) {
        defs.set(alias.name, '');
        queue.push([alias.name, t]);
      }
      return alias.name;
    }
    const sym = t.getSymbol();
    const decl = sym?.declarations?.[0];
    if (!sym || !decl || !(t.flags & ts.TypeFlags.Object)) return null;
    if (OPAQUE_FILES.includes(path.resolve(decl.getSourceFile().fileName))) return sym.name;
    if (!inProject(decl)) return ts.isSourceFile(decl) || sym.name.startsWith('__') ? null : sym.name; // lib types
    if (sym.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.Class)) {
      if (!defs.has(sym.name)) {
        defs.set(sym.name, '');
        queue.push([sym.name, t]);
      }
      return sym.name;
    }
    return null;
  };

  /** A property declared as a type of engine/spec.ts: that type's name. */
  const opaqueRef = (decl: ts.Declaration | undefined): string | null => {
    const node = decl && (ts.isPropertySignature(decl) || ts.isPropertyDeclaration(decl)) ? decl.type : undefined;
    if (!node || !ts.isTypeReferenceNode(node)) return null;
    let sym = checker.getSymbolAtLocation(node.typeName);
    if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
    const file = sym?.declarations?.[0]?.getSourceFile().fileName;
    return file && OPAQUE_FILES.includes(path.resolve(file)) ? sym!.name : null;
  };

  const shape = (t: ts.Type, top = false): string => {
    if (checker.isArrayType(t)) {
      const element = shape(checker.getTypeArguments(t as ts.TypeReference)[0]);
      return / [|&] /.test(element) ? `(${element})[]` : `${element}[]`;
    }
    if (checker.isTupleType(t))
      return `[${checker
        .getTypeArguments(t as ts.TypeReference)
        .map((x) => shape(x))
        .join(', ')}]`;
    if (!top) {
      const n = nameOf(t);
      if (n) return n;
    }
    if (t.isUnion())
      return t.types
        .map((x) => shape(x))
        .sort()
        .join(' | ');
    if (t.isIntersection())
      return t.types
        .map((x) => shape(x))
        .sort()
        .join(' & ');
    if (t.isLiteral()) return JSON.stringify(t.value);
    if (!(t.flags & ts.TypeFlags.Object)) return checker.typeToString(t);
    if (t.getCallSignatures().length) return 'function';
    const props = checker
      .getPropertiesOfType(t)
      .map((p) => {
        const opt = p.flags & ts.SymbolFlags.Optional ? '?' : '';
        const decl = p.valueDeclaration ?? p.declarations?.[0];
        const opaque = opaqueRef(decl);
        if (opaque) return `${p.name}${opt}: ${opaque}`;
        const pt = decl ? checker.getTypeOfSymbolAtLocation(p, decl) : checker.getTypeOfSymbol(p);
        if (opt && pt.isUnion()) {
          const defined = pt.types.filter((x) => !(x.flags & ts.TypeFlags.Undefined));
          return `${p.name}?: ${defined
            .map((x) => shape(x))
            .sort()
            .join(' | ')}`;
        }
        return `${p.name}${opt}: ${shape(pt)}`;
      })
      .sort();
    const index = checker.getIndexInfosOfType(t).map((i) => `[key: ${shape(i.keyType)}]: ${shape(i.type)}`);
    return `{ ${[...index, ...props].join('; ')} }`;
  };

  for (const root of roots) {
    const sf = program.getSourceFile(path.join(ROOT, root.file));
    if (!sf) throw new Error(`${root.file}: not in the program`);
    const mod = checker.getSymbolAtLocation(sf)!;
    const exports = new Map(checker.getExportsOfModule(mod).map((s) => [s.name, s]));
    for (const name of root.names) {
      let sym = exports.get(name);
      if (!sym) throw new Error(`${root.file} exports no ${name}`);
      if (sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
      const t = checker.getDeclaredTypeOfSymbol(sym);
      if (!defs.has(name)) {
        defs.set(name, '');
        queue.push([name, t]);
      }
    }
  }
  while (queue.length) {
    const [name, t] = queue.shift()!;
    defs.set(name, shape(t, true));
  }
  return [...defs.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([n, d]) => `${n} = ${d}`)
    .join('\n');
}
