#!/usr/bin/env node
'use strict';

/*
 * A proxyless gRPC client built on @grpc/grpc-js-xds, for jpilot's end-to-end tests.
 *
 * It dials an xds:/// target, makes unary calls of /jpilot.e2e.Identity/WhoAmI (request and
 * response are plain UTF-8 text, the answer being the identity of the backend that served the
 * call), counts who answered, and prints ONE JSON line on stdout. Diagnostics go to stderr.
 *
 * The xDS bootstrap comes from the environment, as grpc-js-xds reads it: GRPC_XDS_BOOTSTRAP (a
 * file path) or GRPC_XDS_BOOTSTRAP_CONFIG (the JSON text). --bootstrap FILE sets the former.
 *
 * Usage:
 *   node client.js --target xds:///reviews.default.svc.cluster.local:8080
 *                  [--await v1,v2]                    call until each identity answered once
 *                  [--await-ms 15000]                 ... for at most this long (default: deadline)
 *                  [--phase plain=1000]               1,000 calls without extra metadata
 *                  [--phase staging=100,x-env:staging]  100 calls with metadata x-env: staging
 *                  [--rpc-timeout-ms 2000] [--deadline-ms 30000] [--bootstrap FILE]
 *
 * Phases run in the order given, sequentially, one call at a time, over one channel. Without any
 * --phase, one phase "calls" of 100 calls is made.
 *
 * Output (one line):
 *   {"target":"xds:///…","await":{"wanted":["v1","v2"],"seen":["v1","v2"],"calls":3,
 *    "elapsedMs":412,"lastError":null},
 *    "phases":[{"name":"plain","calls":1000,"headers":{},"answers":{"v1":801,"v2":199},
 *               "errors":{},"errorMessages":[]}],
 *    "elapsedMs":1234,"timedOut":false,"fatal":null}
 *
 * Exit status: 0 when every phase ran (failed calls are counted, not fatal), 2 when the overall
 * deadline passed first (the partial result is still printed), 1 on a usage or setup error or
 * when --await-ms passed before every identity answered ("fatal" says which).
 */

const METHOD_PATH = '/jpilot.e2e.Identity/WhoAmI';
const MAX_ERROR_MESSAGES = 10;

function usage(message) {
  const error = new Error(message);
  error.usage = true;
  return error;
}

function parseArgs(argv) {
  const options = {
    target: null,
    await: [],
    phases: [],
    rpcTimeoutMs: 2000,
    deadlineMs: 30000,
    awaitMs: null,
    bootstrap: null,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (value === undefined) {
      throw usage(`${flag}: missing value`);
    }
    i++;
    switch (flag) {
      case '--target':
        options.target = value;
        break;
      case '--await':
        options.await = value.split(',').filter((s) => s.length > 0);
        break;
      case '--phase':
        options.phases.push(parsePhase(value));
        break;
      case '--rpc-timeout-ms':
        options.rpcTimeoutMs = positiveInt(flag, value);
        break;
      case '--deadline-ms':
        options.deadlineMs = positiveInt(flag, value);
        break;
      case '--await-ms':
        options.awaitMs = positiveInt(flag, value);
        break;
      case '--bootstrap':
        options.bootstrap = value;
        break;
      default:
        throw usage(`unknown flag: ${flag}`);
    }
  }
  if (!options.target) {
    throw usage('--target: missing (expected: xds:///host:port)');
  }
  if (options.phases.length === 0) {
    options.phases.push({ name: 'calls', calls: 100, headers: {} });
  }
  return options;
}

/** "name=calls[,header:value...]" */
function parsePhase(spec) {
  const match = /^([A-Za-z0-9_.-]+)=(\d+)((?:,[^,:]+:[^,]*)*)$/.exec(spec);
  if (!match) {
    throw usage(`--phase: ${spec} (expected: name=calls[,header:value...])`);
  }
  const headers = {};
  for (const pair of match[3].split(',').filter((s) => s.length > 0)) {
    const colon = pair.indexOf(':');
    headers[pair.slice(0, colon).toLowerCase()] = pair.slice(colon + 1);
  }
  return { name: match[1], calls: Number(match[2]), headers };
}

function positiveInt(flag, value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw usage(`${flag}: ${value} (expected: a positive integer)`);
  }
  return n;
}

function main() {
  const started = Date.now();
  const result = {
    target: null,
    await: null,
    phases: [],
    elapsedMs: 0,
    timedOut: false,
    fatal: null,
  };
  let finished = false;
  // Exit only after stdout has been flushed: it is a pipe when a test runs this client.
  const finish = (code) => {
    if (finished) {
      return;
    }
    finished = true;
    result.elapsedMs = Date.now() - started;
    process.stdout.write(JSON.stringify(result) + '\n', () => process.exit(code));
  };

  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (e) {
    result.fatal = e.message;
    finish(1);
    return;
  }
  result.target = options.target;

  // The overall deadline: whatever the channel is doing, the process ends by then. The timer is
  // left referenced so that the process cannot end early without printing its result either.
  setTimeout(() => {
    result.timedOut = true;
    finish(2);
  }, options.deadlineMs);

  if (options.bootstrap) {
    process.env.GRPC_XDS_BOOTSTRAP = options.bootstrap;
  }
  if (!process.env.GRPC_XDS_BOOTSTRAP && !process.env.GRPC_XDS_BOOTSTRAP_CONFIG) {
    result.fatal = 'no xDS bootstrap: set GRPC_XDS_BOOTSTRAP_CONFIG (JSON), GRPC_XDS_BOOTSTRAP or --bootstrap (a file)';
    finish(1);
    return;
  }

  let client;
  try {
    const grpc = require('@grpc/grpc-js');
    require('@grpc/grpc-js-xds').register();
    checkBootstrap();
    client = new grpc.Client(options.target, grpc.credentials.createInsecure());
    run(grpc, client, options, result)
      .then(() => finish(0))
      .catch((e) => {
        result.fatal = e instanceof Error ? e.message : String(e);
        finish(1);
      });
  } catch (e) {
    result.fatal = e.message;
    finish(1);
  }
}

/**
 * grpc-js-xds rejects a bad bootstrap (for one, a node without a locality) only inside name
 * resolution, where calls merely time out or fail with an unrelated message. Load it up front
 * with the library's own loader so the reason is reported.
 */
function checkBootstrap() {
  let bootstrap;
  try {
    bootstrap = require('@grpc/grpc-js-xds/build/src/xds-bootstrap');
  } catch (e) {
    return; // an internal module; if a later version moves it, name resolution still reports
  }
  try {
    bootstrap.loadBootstrapInfo();
  } catch (e) {
    throw new Error(`xDS bootstrap rejected by grpc-js-xds: ${e.message}`);
  }
}

async function run(grpc, client, options, result) {
  if (options.await.length > 0) {
    result.await = { wanted: options.await, seen: [], calls: 0, elapsedMs: 0, lastError: null };
    // Filled in as it goes, so a timed-out run still shows how far it got.
    await awaitIdentities(grpc, client, options, result.await);
  }
  for (const phase of options.phases) {
    const tally = {
      name: phase.name,
      calls: 0,
      headers: phase.headers,
      answers: {},
      errors: {},
      errorMessages: [],
    };
    result.phases.push(tally);
    for (let i = 0; i < phase.calls; i++) {
      const outcome = await whoAmI(grpc, client, phase.headers, options.rpcTimeoutMs);
      tally.calls++;
      if (outcome.error) {
        const code = grpc.status[outcome.error.code] || String(outcome.error.code);
        tally.errors[code] = (tally.errors[code] || 0) + 1;
        const message = `${code}: ${outcome.error.details}`;
        if (tally.errorMessages.length < MAX_ERROR_MESSAGES && !tally.errorMessages.includes(message)) {
          tally.errorMessages.push(message);
        }
      } else {
        tally.answers[outcome.identity] = (tally.answers[outcome.identity] || 0) + 1;
      }
    }
  }
  client.close();
}

/**
 * Calls until every wanted identity has answered once, so the tallies that follow see the whole
 * config and not the first part of it. Calls made while the channel resolves are queued by
 * grpc-js; a failed call (the channel in TRANSIENT_FAILURE, e.g. after a NACK) is retried after a
 * pause, and its status is kept as lastError, which says why.
 */
async function awaitIdentities(grpc, client, options, state) {
  const started = Date.now();
  const seen = new Set();
  while (!options.await.every((id) => seen.has(id))) {
    if (options.awaitMs !== null && Date.now() - started >= options.awaitMs) {
      throw new Error(
          `after ${options.awaitMs} ms saw only [${state.seen}] of [${options.await}]; ` +
          `last error: ${state.lastError}`);
    }
    const outcome = await whoAmI(grpc, client, {}, Math.min(options.rpcTimeoutMs, 1000));
    state.calls++;
    if (outcome.error) {
      state.lastError = `${grpc.status[outcome.error.code]}: ${outcome.error.details}`;
      await new Promise((resolve) => setTimeout(resolve, 50));
    } else {
      seen.add(outcome.identity);
    }
    state.seen = [...seen].sort();
    state.elapsedMs = Date.now() - started;
  }
}

function whoAmI(grpc, client, headers, timeoutMs) {
  const metadata = new grpc.Metadata();
  for (const [name, value] of Object.entries(headers)) {
    metadata.set(name, value);
  }
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      METHOD_PATH,
      (text) => Buffer.from(text, 'utf8'),
      (bytes) => bytes.toString('utf8'),
      '',
      metadata,
      { deadline: Date.now() + timeoutMs },
      (error, identity) => resolve(error ? { error } : { identity }),
    );
  });
}

main();
