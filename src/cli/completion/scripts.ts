import { FILE_FLAGS, HOST_FLAGS, ROLE_FLAGS, type CompletionSpec } from './completion-spec.js';

/** Host and group names depend on the -i given, so the scripts ask provision for them. */
const HOSTS_CMD = 'provision completion --list-hosts';

export function bashScript(spec: CompletionSpec): string {
  const names = spec.commands.map((c) => c.name).join(' ');
  const flagCases = spec.commands.map((c) => `    ${c.name}) flags="${c.flags.join(' ')}" ;;`).join('\n');
  return `# provision completion for bash: eval "$(provision completion bash)"
# Host and group names are data: never a compgen -W word list (compgen expands $(...) in it). Each
# name is matched as a literal prefix and offered quoted for the command line (printf %q).
_provision_names() {
  local cur="$1" name
  shift
  COMPREPLY=()
  while IFS= read -r name; do
    [[ "$name" == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$name")")
  done < <(${HOSTS_CMD} "$@" 2>/dev/null)
}
_provision() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmds="${names}" cmd=apply inv=() i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case " $cmds " in *" \${COMP_WORDS[i]} "*) [ "$i" = 1 ] && cmd="\${COMP_WORDS[i]}" ;; esac
    case "\${COMP_WORDS[i]}" in -i|--inventory) inv+=(-i "\${COMP_WORDS[i+1]}") ;; esac
  done
  case "$prev" in
    ${ROLE_FLAGS.join('|')}) COMPREPLY=($(compgen -W "${spec.roles.join(' ')}" -- "$cur")); return ;;
    ${HOST_FLAGS.join('|')}) _provision_names "$cur" "\${inv[@]}"; return ;;
    ${FILE_FLAGS.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    completion) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")); return ;;
  esac
  local flags=""
  case "$cmd" in
${flagCases}
  esac
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$flags --help" -- "$cur"));
  elif [ "$COMP_CWORD" = 1 ]; then COMPREPLY=($(compgen -W "$cmds --version --help" -- "$cur")); fi
}
complete -o default -F _provision provision
`;
}

export function zshScript(spec: CompletionSpec): string {
  const cmds = spec.commands.map((c) => `'${c.name}:${c.description.replace(/[:']/g, ' ')}'`).join(' ');
  const flagCases = spec.commands.map((c) => `    ${c.name}) flags=(${c.flags.join(' ')}) ;;`).join('\n');
  return `#compdef provision
# provision completion for zsh: provision completion zsh > "\${fpath[1]}/_provision"
_provision() {
  local -a cmds flags inv
  local cmd=apply i
  cmds=(${cmds})
  for ((i = 2; i < CURRENT; i++)); do
    [[ $i == 2 && " \${cmds[*]%%:*} " == *" \${words[i]} "* ]] && cmd=\${words[i]}
    [[ \${words[i]} == (-i|--inventory) ]] && inv+=(-i "\${words[i+1]}")
  done
  case \${words[CURRENT-1]} in
    (${ROLE_FLAGS.join('|')}) compadd -- ${spec.roles.join(' ')}; return ;;
    # One name a line, never split or globbed; compadd quotes each as it inserts it.
    (${HOST_FLAGS.join('|')}) compadd -- \${(f)"$(${HOSTS_CMD} "\${inv[@]}" 2>/dev/null)"}; return ;;
    (${FILE_FLAGS.join('|')}) _files; return ;;
    (completion) compadd -- bash zsh fish; return ;;
  esac
  case $cmd in
${flagCases}
  esac
  if [[ \${words[CURRENT]} == -* ]]; then compadd -- $flags --help
  elif (( CURRENT == 2 )); then _describe command cmds
  else _files; fi
}
compdef _provision provision
`;
}

export function fishScript(spec: CompletionSpec): string {
  const names = spec.commands.map((c) => c.name).join(' ');
  const lines = [
    '# provision completion for fish: provision completion fish > ~/.config/fish/completions/provision.fish',
    'complete -c provision -f',
    `complete -c provision -n "not __fish_seen_subcommand_from ${names}" -l version -d 'version, roles and templates directories'`,
    ...spec.commands.map((c) => `complete -c provision -n "not __fish_seen_subcommand_from ${names}" -a ${c.name} -d '${c.description.replace(/'/g, '')}'`),
    `complete -c provision -n "__fish_seen_subcommand_from completion" -a 'bash zsh fish'`,
  ];
  for (const c of spec.commands) {
    const cond = c.name === 'apply' ? `not __fish_seen_subcommand_from ${names.replace(/\bapply\b/, '')}` : `__fish_seen_subcommand_from ${c.name}`;
    for (const f of c.flags) {
      const opt = f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`;
      const arg = ROLE_FLAGS.includes(f)
        ? ` -x -a '${spec.roles.join(' ')}'`
        : HOST_FLAGS.includes(f)
          ? ` -x -a '(${HOSTS_CMD} (__fish_provision_inventory))'`
          : FILE_FLAGS.includes(f)
            ? ' -r -F'
            : '';
      lines.push(`complete -c provision -n "${cond}" ${opt}${arg}`);
    }
  }
  return `function __fish_provision_inventory
    set -l words (commandline -opc)
    for i in (seq (count $words))
        if contains -- $words[$i] -i --inventory
            echo -i; echo $words[(math $i + 1)]
        end
    end
end
${lines.join('\n')}
`;
}
