// A general-purpose gRPC client that knows only the public Open Inference Protocol .proto file: it loads the
// file at run time (no generated code, nothing of moe-stream) and talks to the gateway as it would to any
// KServe/Triton server. OipNodeClientIT runs it and checks what it wrote against the reference layer.
//
//   node oip_client.mjs PROTO_FILE HOST:PORT WORK_DIR
//
// WORK_DIR holds x.bin (FP32, little-endian, row-major [n, d_model]); the script writes results.json and the
// raw outputs (*.bin) there.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const [protoFile, address, workDir] = process.argv.slice(2);
const DEADLINE_MS = 120_000;

const definition = protoLoader.loadSync(protoFile, {
  keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
});
const { GRPCInferenceService } = grpc.loadPackageDefinition(definition).inference;
const client = new GRPCInferenceService(address, grpc.credentials.createInsecure());

function deadline() {
  return new Date(Date.now() + DEADLINE_MS);
}

function unary(method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: deadline() }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** The gRPC status of a call expected to fail. */
async function failure(method, request) {
  try {
    await unary(method, request);
    return { code: 'OK', details: '' };
  } catch (error) {
    return { code: grpc.status[error.code], details: error.details };
  }
}

/** Sends every request on one ModelStreamInfer stream, half-closes, and collects the responses in order. */
function streamInfer(requests) {
  return new Promise((resolve, reject) => {
    const responses = [];
    const call = client.ModelStreamInfer({ deadline: deadline() });
    call.on('data', (response) => responses.push(response));
    call.on('error', reject);
    call.on('end', () => resolve(responses));
    requests.forEach((request) => call.write(request));
    call.end();
  });
}

/** Writes each output's raw bytes to PREFIX-NAME.bin and returns the outputs' metadata. */
function saveOutputs(prefix, response) {
  return response.outputs.map((output, i) => {
    const file = `${prefix}-${output.name}.bin`;
    writeFileSync(join(workDir, file), response.raw_output_contents[i]);
    return { name: output.name, datatype: output.datatype, shape: output.shape.map(Number), file };
  });
}

function hiddenStates(rows, dModel, contents) {
  return { name: 'hidden_states', datatype: 'FP32', shape: [rows, dModel], ...contents };
}

async function main() {
  const x = readFileSync(join(workDir, 'x.bin'));
  const results = {};

  results.live = (await unary('ServerLive', {})).live;
  results.ready = (await unary('ServerReady', {})).ready;
  results.server = await unary('ServerMetadata', {});
  const metadata = await unary('ModelMetadata', { name: 'moe-layer-0', version: '1' });
  results.metadata = {
    name: metadata.name,
    versions: metadata.versions,
    inputs: metadata.inputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape.map(Number) })),
    outputs: metadata.outputs.map((t) => ({ name: t.name, datatype: t.datatype, shape: t.shape.map(Number) })),
  };
  // the client learns d_model from the metadata, as a generic client would
  const dModel = results.metadata.inputs[0].shape[1];
  const rowBytes = 4 * dModel;
  const rows = x.length / rowBytes;

  // ModelInfer: all rows, raw FP32, every output
  const infer = await unary('ModelInfer', {
    model_name: 'moe-layer-0',
    model_version: '1',
    id: 'node-infer',
    parameters: { client: { string_param: 'grpc-js' } },
    inputs: [hiddenStates(rows, dModel, {})],
    outputs: [{ name: 'output' }, { name: 'router_logits' }, { name: 'expert_ids' }],
    raw_input_contents: [x],
  });
  results.infer = {
    id: infer.id,
    model_name: infer.model_name,
    model_version: infer.model_version,
    parameters: infer.parameters,
    outputs: saveOutputs('infer', infer),
  };

  // the protocol's errors
  results.unknownModel = await failure('ModelInfer', {
    model_name: 'moe-layer-99', inputs: [hiddenStates(1, dModel, {})], raw_input_contents: [x.subarray(0, rowBytes)],
  });
  results.badShape = await failure('ModelInfer', {
    model_name: 'moe-layer-0', inputs: [hiddenStates(2, dModel, {})], raw_input_contents: [x.subarray(0, rowBytes)],
  });

  // ModelStreamInfer: the first half raw on layer 0, a request for a model that does not exist, the second half
  // as typed fp32_contents on layer 1
  const half = Math.floor(rows / 2);
  const secondHalf = x.subarray(half * rowBytes);
  const typed = new Float32Array(secondHalf.buffer, secondHalf.byteOffset, secondHalf.length / 4);
  const stream = await streamInfer([
    { model_name: 'moe-layer-0', id: 'stream-a', inputs: [hiddenStates(half, dModel, {})],
      raw_input_contents: [x.subarray(0, half * rowBytes)] },
    { model_name: 'no-such-model', id: 'stream-bad', inputs: [hiddenStates(1, dModel, {})],
      raw_input_contents: [x.subarray(0, rowBytes)] },
    { model_name: 'moe-layer-1', id: 'stream-b',
      inputs: [hiddenStates(rows - half, dModel, { contents: { fp32_contents: Array.from(typed) } })] },
  ]);
  results.stream = stream.map((r) => ({
    error_message: r.error_message,
    id: r.infer_response.id,
    model_name: r.infer_response.model_name,
    outputs: r.error_message ? [] : saveOutputs(`stream-${r.infer_response.id}`, r.infer_response),
  }));
  results.rows = rows;
  results.half = half;

  writeFileSync(join(workDir, 'results.json'), JSON.stringify(results, null, 2));
  client.close();
}

main().catch((error) => {
  console.error(`OIP client failed: ${error.stack || error}`);
  process.exit(1);
});
