#!/usr/bin/env node
import { ConfigError } from '../server/index.js';
import { IchigenError } from '../model/index.js';
import { UsageError } from './args.js';
import { agentCommand } from './agent-command.js';
import { configCheckCommand, metricsCommand, startCommand, tokenCommand, userCommand } from './commands.js';
import { packageVersion } from '../self/index.js';

const HELP = `ichigen — metrics, logs, traces, alerts, on-call and runbooks in one program

usage:
  ichigen start [--config FILE] [--data-dir DIR] [--listen HOST:PORT]
  ichigen config check FILE
  ichigen user add NAME --role admin|editor|viewer     (password from stdin or the terminal)
  ichigen user passwd NAME
  ichigen token create --name NAME --scopes ingest,read,write,admin [--tenants default|a,b|*] [--expires-in-days N]
  ichigen metrics compact [--config FILE] [--data-dir DIR]   (server stopped: merge chunks, shrink the file)
  ichigen agent --server URL --token T [--label k=v]... [--name N] [--concurrency N] [--allow-runbook NAME]...
  ichigen --version

Every command that touches state accepts --config/--data-dir; ICHIGEN_CONFIG,
ICHIGEN_DATA_DIR, ICHIGEN_LISTEN and ICHIGEN_<SECTION>_<KEY> override the file.
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case '--version':
    case '-v':
    case 'version':
      process.stdout.write(`ichigen ${packageVersion()}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return cmd === undefined ? 2 : 0;
    case 'start':
      return startCommand(rest);
    case 'config':
      if (rest[0] !== 'check') throw new UsageError('usage: ichigen config check FILE');
      return configCheckCommand(rest.slice(1));
    case 'user':
      return userCommand(rest);
    case 'token':
      return tokenCommand(rest);
    case 'agent':
      return agentCommand(rest);
    case 'metrics':
      return metricsCommand(rest);
    default:
      throw new UsageError(`unknown command "${cmd}"; see ichigen --help`);
  }
}

// Until the command settles, an exit is a failure: were the event loop ever to empty while a
// command still waits (a cleanup whose promise nothing keeps alive), Node would end the
// process with 0 and a failed start would look like success.
process.exitCode = 1;
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof UsageError) {
      process.stderr.write(`ichigen: ${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof IchigenError && err.status < 500) {
      process.stderr.write(`ichigen: ${err.message}\n`);
      process.exit(err.code === 'INVALID_PARAMETER' ? 2 : 1);
    }
    process.stderr.write(`ichigen: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
