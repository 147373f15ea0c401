import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NodeInfo } from '../../src/node/types.js';
import { interpolateString, interpolateValue, nodeVariables, type InterpolationContext } from '../../src/runner/interpolate.js';

const node: NodeInfo = {
  id: '9d1c3a2e-0000-4000-8000-000000000001',
  name: 'node1',
  datacenter: 'dc1',
  region: 'global',
  nodeClass: 'linux-64bit',
  meta: { rack: 'r1' },
  attributes: { 'kernel.name': 'linux', 'unique.network.ip-address': '10.0.2.15' },
  drivers: {},
  reserved: { cpu: 0, memoryMB: 0 },
  portRange: { min: 20000, max: 32000 },
};

const ctx: InterpolationContext = {
  env: { NOMAD_ALLOC_ID: 'a1', NOMAD_PORT_http: '8080', 'odd.key..x': 'odd', LOOP: '${NOMAD_ALLOC_ID}' },
  node: nodeVariables(node),
};

const rows: ReadonlyArray<readonly [string, string]> = [
  ['plain', 'plain'],
  ['${NOMAD_ALLOC_ID}', 'a1'],
  ['port=${NOMAD_PORT_http}/x', 'port=8080/x'],
  ['${attr.kernel.name}-${node.unique.name}', 'linux-node1'],
  ['${attr.unique.network.ip-address}', '10.0.2.15'],
  ['${node.unique.id} ${node.datacenter} ${node.region} ${node.class}', `${node.id} dc1 global linux-64bit`],
  ['${meta.rack}', 'r1'],
  ['${UNKNOWN} stays', '${UNKNOWN} stays'],
  ['${attr.nope}', '${attr.nope}'],
  ['${env["odd.key..x"]}', 'odd'],
  ['${env["missing"]}', '${env["missing"]}'],
  ['${bad name}', '${bad name}'],
  ['$NOMAD_ALLOC_ID', '$NOMAD_ALLOC_ID'],
  ['${LOOP}', '${NOMAD_ALLOC_ID}'],
  ['${constructor}', '${constructor}'],
  ['${NOMAD_ALLOC_ID}${NOMAD_ALLOC_ID}', 'a1a1'],
];

for (const [input, want] of rows) {
  test(`interpolateString ${input}`, () => assert.equal(interpolateString(input, ctx), want));
}

test('interpolateValue walks lists and maps, leaving keys and non-strings alone', () => {
  const config = {
    command: '/bin/${attr.kernel.name}',
    args: ['-p', '${NOMAD_PORT_http}', 3, true],
    port_map: [{ '${NOMAD_PORT_http}': '${meta.rack}' }],
    nested: { deeper: { x: '${NOMAD_ALLOC_ID}' }, none: null },
  };
  assert.deepEqual(interpolateValue(config, ctx), {
    command: '/bin/linux',
    args: ['-p', '8080', 3, true],
    port_map: [{ '${NOMAD_PORT_http}': 'r1' }],
    nested: { deeper: { x: 'a1' }, none: null },
  });
});

test('task env wins over node variables of the same name', () => {
  assert.equal(interpolateString('${meta.rack}', { env: { 'meta.rack': 'env' }, node: { 'meta.rack': 'node' } }), 'env');
});
