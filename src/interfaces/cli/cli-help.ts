export const DEFAULT_CONFIG = '/etc/floatip/floatip.yml';
export const DEFAULT_STATUS = '127.0.0.1:61112';

export const COMMANDS = ['run', 'check', 'status', 'release'] as const;
export type CommandName = (typeof COMMANDS)[number];

const LOG_OPTIONS = '[--log-level=error|warn|info|debug] [--log-format=auto|text|json]';

/** One synopsis line per command, as the usage and each command's help show it. */
export const SYNOPSIS: Record<CommandName, string> = {
  run: `floatip run     [-c FILE|--config=FILE] ${LOG_OPTIONS}`,
  check: 'floatip check   [-c FILE|--config=FILE]',
  status: 'floatip status  [-c FILE|--config=FILE | --listen=HOST:PORT] [--json]',
  release: `floatip release [-c FILE|--config=FILE] ${LOG_OPTIONS}`,
};

const EXIT_CODES = `exit codes: 0 clean stop (or floating_ip.enabled is not true), 1 runtime failure,
            2 configuration, precondition or usage error,
            3 a port it needs is held by another process (systemd restarts it)`;

const CONFIG_OPTION = `  -c, --config FILE      the YAML file with the floating_ip: section (default ${DEFAULT_CONFIG})`;
const LOG_OPTION_HELP = `      --log-level LEVEL  error, warn, info (the default) or debug
      --log-format FMT   text, json, or auto (the default: text on a terminal, JSON otherwise)`;
const HELP_OPTION = '  -h, --help             show this help';

export const USAGE = `usage: ${SYNOPSIS.run}
       ${SYNOPSIS.check}
       ${SYNOPSIS.status}
       ${SYNOPSIS.release}
       floatip help [COMMAND]  |  floatip COMMAND --help  |  floatip --help  |  floatip --version

  run      hold the floating IP with the other nodes of its group (in the foreground, as systemd runs it)
  check    validate FILE; print the resolved settings, auth, checks, witnesses, hooks and status listener
  status   ask a running daemon for its state, peers, checks and counters
  release  remove this node's alias if it is still bound, e.g. after the daemon was killed

FILE is ${DEFAULT_CONFIG} unless given. A value may follow its option (--config FILE) or be joined to it
with = (--config=FILE).

${EXIT_CODES}`;

export const COMMAND_HELP: Record<CommandName, string> = {
  run: `usage: ${SYNOPSIS.run}

Hold the floating IP with the other nodes of its group, in the foreground. It logs one line per event on stdout.
SIGTERM or SIGINT: a master hands the address over, then it stops (exit 0). SIGHUP: read FILE again; an invalid
file is logged and the running settings stay. A hook or check command that cannot be started is a warning.

options:
${CONFIG_OPTION}
${LOG_OPTION_HELP}
${HELP_OPTION}

${EXIT_CODES}`,

  check: `usage: ${SYNOPSIS.check}

Validate FILE against this host and print the resolved settings (marking the auto-detected ones), then whether
heartbeats are signed and where the secret comes from (never the secret), the health checks, witnesses, hooks and
status listener, then the warnings. It touches nothing.

options:
${CONFIG_OPTION}
${HELP_OPTION}

exit codes: 0 valid, or floating_ip.enabled is not true (what would be wrong is shown as warnings);
            2 an invalid file, or a hook or check command that does not exist or is not executable;
            1 any other failure`,

  status: `usage: ${SYNOPSIS.status}

Ask a running daemon for its state, priority, holder, peers, checks and counters (GET /status), and print them
as a table. Without --config or --listen it asks ${DEFAULT_STATUS}; with --config it asks FILE's status.listen.

options:
${CONFIG_OPTION.replace(` (default ${DEFAULT_CONFIG})`, ': ask at its status.listen')}
      --listen HOST:PORT where the daemon serves /status (default ${DEFAULT_STATUS})
      --json             print the daemon's JSON as it is
${HELP_OPTION}

exit codes: 0 the daemon answered, 1 it did not, 2 a bad FILE, or FILE has status.listen: off`,

  release: `usage: ${SYNOPSIS.release}

Remove this node's alias (the floating address on <interface>:<label>) if it is still bound on this host, for
example after the daemon and its release guard were both killed (the unit's ExecStopPost=). It exits 0 whether it
removed it or it was not there. Do not run it beside a running daemon: it would take the address from a master.

options:
${CONFIG_OPTION}
${LOG_OPTION_HELP}
${HELP_OPTION}

exit codes: 0 removed or not bound, 1 runtime failure, 2 configuration or precondition error`,
};
