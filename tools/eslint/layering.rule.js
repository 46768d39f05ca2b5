// The dependency rule of the hexagon, checked on every import:
// domain <- application <- infrastructure / interfaces, and only infrastructure does I/O.
import { dirname, relative, resolve, sep } from 'node:path';

const LAYERS = ['domain', 'application', 'infrastructure', 'interfaces'];
const IO_MODULES = new Set(['child_process', 'net', 'dgram', 'fs', 'fs/promises']);

/** Which layers each layer may import, and which packages. */
export const POLICY = {
  domain: { layers: ['domain'], packages: [] },
  // the decorators that let the container inject use cases are the one package the application may name
  application: { layers: ['domain', 'application'], packages: ['inversify'] },
  infrastructure: { layers: ['domain', 'application', 'infrastructure'], packages: '*' },
  interfaces: { layers: LAYERS, packages: '*' },
};

function layerOf(file, root) {
  const parts = relative(root, file).split(sep);
  return parts[0] === 'src' && LAYERS.includes(parts[1]) ? parts[1] : null;
}

export const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'enforce the domain <- application <- infrastructure/interfaces dependency rule' },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const root = context.cwd;
    const layer = layerOf(file, root);
    if (!layer) return {};
    const policy = POLICY[layer];

    function check(node, source) {
      if (typeof source !== 'string') return;
      if (source.startsWith('.')) {
        const target = layerOf(resolve(dirname(file), source), root);
        if (target && !policy.layers.includes(target)) {
          context.report({ node, message: `${layer} must not import from ${target} ("${source}")` });
        }
        return;
      }
      const bare = source.replace(/^node:/, '');
      if (IO_MODULES.has(bare) && layer !== 'infrastructure') {
        context.report({ node, message: `only infrastructure may use ${source}; ${layer} reaches I/O through a port` });
        return;
      }
      const pkg = source.startsWith('@') ? source.split('/').slice(0, 2).join('/') : source.split('/')[0];
      if (policy.packages !== '*' && !policy.packages.includes(pkg)) {
        context.report({ node, message: `${layer} must not import "${source}": it may use ${policy.packages.length ? policy.packages.join(', ') : 'nothing outside itself'}` });
      }
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
      NewExpression(node) {
        if (layer !== 'interfaces' && node.callee.type === 'Identifier' && node.callee.name === 'Container') {
          context.report({ node, message: 'only interfaces builds the container (use createContainer)' });
        }
      },
    };
  },
};

export default { rules: { layering: layeringRule } };
