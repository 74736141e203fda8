/**
 * `dynamo-netcheck completion bash|zsh|fish`: shell completion scripts written from the program's
 * own command tree (commander), so a new command or option completes without editing a list here.
 * Completes command names, each command's options, an option's fixed values (`-o table|json|…`),
 * and file names everywhere else (snapshot directories, --html files).
 */
import { Option, type Command } from 'commander';
import type { RegisterCommand } from './shared.ts';
import { addExitCodesAndExamples } from './help.ts';
import { ExitCode, UsageError } from './errors.ts';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

interface CommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly flags: readonly string[];
  /** Options that take a value from a fixed list: each of their flags → the values. */
  readonly choices: ReadonlyMap<string, readonly string[]>;
  /** Options that take a value (completed as a file name unless `choices` has it). */
  readonly valued: readonly string[];
}

/** Names in the tree are ours (commander's), but a script is code: keep to what a word can hold. */
const SAFE = /^[A-Za-z0-9_.:/=+-]+$/;
function word(text: string): string {
  if (!SAFE.test(text)) throw new Error(`completion: ${JSON.stringify(text)} is not a plain word`);
  return text;
}

function specOf(command: Command): CommandSpec {
  const flags: string[] = [];
  const valued: string[] = [];
  const choices = new Map<string, readonly string[]>();
  const options: readonly Option[] = [...command.options, new Option('-h, --help')];
  for (const option of options) {
    const names = [option.short, option.long].filter((n): n is string => n !== undefined).map(word);
    flags.push(...names);
    if (option.required || option.optional) {
      valued.push(...names);
      if (option.argChoices) for (const name of names) choices.set(name, option.argChoices.map(word));
    }
  }
  return {
    name: word(command.name()),
    summary: command.summary() || command.description().split(/[.;:]/)[0]!.trim(),
    flags,
    choices,
    valued,
  };
}

function specs(program: Command): CommandSpec[] {
  return program.commands.map(specOf);
}

function bash(program: Command, name: string): string {
  const fn = `_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
  const all = specs(program);
  const cases = all.map((spec) => {
    const values = [...spec.choices].map(
      ([flag, list]) => `        ${flag}) COMPREPLY=($(compgen -W "${list.join(' ')}" -- "$cur")); return ;;`,
    );
    const files = spec.valued.filter((flag) => !spec.choices.has(flag));
    return [
      `    ${spec.name})`,
      '      case "$prev" in',
      ...values,
      ...(files.length > 0
        ? [`        ${files.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;`]
        : []),
      '      esac',
      `      if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "${spec.flags.join(' ')}" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi`,
      '      ;;',
    ].join('\n');
  });
  return [
    `# bash completion for ${name}: eval "$(${name} completion bash)", or save it under`,
    `# /etc/bash_completion.d/ or ~/.local/share/bash-completion/completions/${name}.`,
    `${fn}() {`,
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
    '  COMPREPLY=()',
    '  if [[ $COMP_CWORD -eq 1 ]]; then',
    `    COMPREPLY=($(compgen -W "${all.map((s) => s.name).join(' ')} --help --version" -- "$cur"))`,
    '    return',
    '  fi',
    '  case "${COMP_WORDS[1]}" in',
    ...cases,
    '  esac',
    '}',
    `complete -o filenames -F ${fn} ${name}`,
    '',
  ].join('\n');
}

function zsh(program: Command, name: string): string {
  // zsh runs bash completion functions through bashcompinit: one script to keep right, not two.
  return [
    `# zsh completion for ${name}: eval "$(${name} completion zsh)" in ~/.zshrc (after compinit).`,
    'autoload -U +X bashcompinit && bashcompinit',
    bash(program, name),
  ].join('\n');
}

/** fish single-quoted strings: only \ and ' are special. */
function fishQuote(text: string): string {
  return `'${text.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

function fish(program: Command, name: string): string {
  const lines = [
    `# fish completion for ${name}: ${name} completion fish > ~/.config/fish/completions/${name}.fish`,
    `complete -c ${name} -f`,
  ];
  for (const spec of specs(program)) {
    lines.push(`complete -c ${name} -n __fish_use_subcommand -a ${spec.name} -d ${fishQuote(spec.summary)}`);
    const when = `-n '__fish_seen_subcommand_from ${spec.name}'`;
    lines.push(`complete -c ${name} ${when} -F`);
    const seen = new Set<string>();
    for (const flag of spec.flags) {
      if (seen.has(flag)) continue;
      seen.add(flag);
      const kind = flag.startsWith('--') ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`;
      const values = spec.choices.get(flag);
      const arg = values ? ` -x -a ${fishQuote(values.join(' '))}` : spec.valued.includes(flag) ? ' -r' : '';
      lines.push(`complete -c ${name} ${when} ${kind}${arg}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The completion script for `shell`, for the program as registered. Pure. */
export function completionScript(program: Command, shell: Shell, name = 'dynamo-netcheck'): string {
  if (shell === 'bash') return bash(program, name);
  if (shell === 'zsh') return zsh(program, name);
  return fish(program, name);
}

export const registerCompletion: RegisterCommand = (program) => {
  const command = program
    .command('completion')
    .description(
      'print a shell completion script (commands, options, option values, file names): eval "$(dynamo-netcheck completion bash)" in ~/.bashrc, the same with zsh in ~/.zshrc, or completion fish > ~/.config/fish/completions/dynamo-netcheck.fish',
    )
    .argument('<shell>', `one of ${SHELLS.join(', ')}`)
    .action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell))
        throw new UsageError(
          `completion: unknown shell ${JSON.stringify(shell)} (one of ${SHELLS.join(', ')})`,
        );
      process.stdout.write(completionScript(program, shell as Shell));
    });
  addExitCodesAndExamples(
    command,
    [[ExitCode.Pass, 'the script was printed']],
    ['completion bash', 'completion fish'],
  );
};
