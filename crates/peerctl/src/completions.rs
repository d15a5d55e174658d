//! Shell completions: `peerctl completions bash|zsh|fish` prints a script
//! to source (or to install, e.g. as
//! `/usr/share/bash-completion/completions/peerctl`). Commands and options
//! complete everywhere; neighbor names are asked of the running daemon
//! (`peerctl neighbors`), so they are the ones configured now.

use std::process::ExitCode;

const BASH: &str = r#"# peerctl completion (bash); zsh: autoload -U bashcompinit && bashcompinit first.
_peerctl() {
    local cur prev words cword
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    local cmds="summary neighbors neighbor routes route announcements announce withdraw fib reload mrt completions help"
    local sock=()
    local i
    for ((i = 1; i < COMP_CWORD; i++)); do
        if [[ "${COMP_WORDS[i]}" == --socket ]]; then sock=(--socket "${COMP_WORDS[i+1]}"); fi
    done
    _peerctl_names() {
        peerctl "${sock[@]}" neighbors 2>/dev/null | awk 'NR > 1 { print $1 }'
    }
    case "$prev" in
        --socket) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        neighbor|--neighbor) COMPREPLY=($(compgen -W "$(_peerctl_names)" -- "$cur")); return ;;
        completions) COMPREPLY=($(compgen -W "bash zsh fish" -- "$cur")); return ;;
        route) COMPREPLY=($(compgen -W "get" -- "$cur")); return ;;
        mrt) COMPREPLY=($(compgen -f -W "--json --stats --write-sample" -- "$cur")); return ;;
    esac
    local first=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            --socket) ((i++)) ;;
            -*) ;;
            *) first="${COMP_WORDS[i]}"; break ;;
        esac
    done
    case "$first" in
        "") COMPREPLY=($(compgen -W "$cmds --socket --help" -- "$cur")) ;;
        neighbor)
            if [[ "$COMP_CWORD" -ge 3 && "${COMP_WORDS[COMP_CWORD-2]}" == neighbor ]]; then
                COMPREPLY=($(compgen -W "disable enable refresh reset soft-reset --json" -- "$cur"))
            else
                COMPREPLY=($(compgen -W "--message --in --out --json" -- "$cur"))
            fi ;;
        neighbors) COMPREPLY=($(compgen -W "--watch --json" -- "$cur")) ;;
        routes) COMPREPLY=($(compgen -W "--neighbor --received --advertised --community --as-path --origin-as --more-specifics --json --page" -- "$cur")) ;;
        reload) COMPREPLY=($(compgen -W "--dry-run --json" -- "$cur")) ;;
        announce) COMPREPLY=($(compgen -W "--community --large-community --json" -- "$cur")) ;;
        mrt) COMPREPLY=($(compgen -f -- "$cur")) ;;
        *) COMPREPLY=($(compgen -W "--json" -- "$cur")) ;;
    esac
}
complete -F _peerctl peerctl
"#;

const FISH: &str = r#"# peerctl completion (fish)
function __peerctl_names
    peerctl neighbors 2>/dev/null | awk 'NR > 1 { print $1 }'
end
complete -c peerctl -f
complete -c peerctl -l socket -r -d 'the control socket'
complete -c peerctl -n __fish_use_subcommand -a 'summary neighbors neighbor routes route announcements announce withdraw fib reload mrt completions'
complete -c peerctl -n '__fish_seen_subcommand_from neighbor' -a '(__peerctl_names) disable enable refresh reset soft-reset'
complete -c peerctl -n '__fish_seen_subcommand_from neighbor' -l message -r
complete -c peerctl -n '__fish_seen_subcommand_from neighbor' -l in
complete -c peerctl -n '__fish_seen_subcommand_from neighbor' -l out
complete -c peerctl -n '__fish_seen_subcommand_from neighbors' -l watch
complete -c peerctl -n '__fish_seen_subcommand_from routes' -l neighbor -a '(__peerctl_names)' -r
complete -c peerctl -n '__fish_seen_subcommand_from routes' -l received
complete -c peerctl -n '__fish_seen_subcommand_from routes' -l advertised
complete -c peerctl -n '__fish_seen_subcommand_from routes' -l community -r
complete -c peerctl -n '__fish_seen_subcommand_from routes' -l as-path -r
complete -c peerctl -n '__fish_seen_subcommand_from routes' -l origin-as -r
complete -c peerctl -n '__fish_seen_subcommand_from routes' -l more-specifics
complete -c peerctl -n '__fish_seen_subcommand_from routes' -l page -r
complete -c peerctl -n '__fish_seen_subcommand_from route' -a get
complete -c peerctl -n '__fish_seen_subcommand_from reload' -l dry-run
complete -c peerctl -n '__fish_seen_subcommand_from announce' -l community -r
complete -c peerctl -n '__fish_seen_subcommand_from announce' -l large-community -r
complete -c peerctl -n '__fish_seen_subcommand_from mrt' -F -l json
complete -c peerctl -n '__fish_seen_subcommand_from mrt' -l stats
complete -c peerctl -n '__fish_seen_subcommand_from completions' -a 'bash zsh fish'
complete -c peerctl -l json -d 'JSON instead of tables'
"#;

/// Prints the script for `shell`.
pub fn run(args: &[String]) -> ExitCode {
    match args.first().map(String::as_str) {
        Some("bash") => print!("{BASH}"),
        Some("zsh") => print!("autoload -U +X bashcompinit && bashcompinit\n{BASH}"),
        Some("fish") => print!("{FISH}"),
        _ => {
            eprintln!("peerctl: completions needs a shell: bash, zsh or fish");
            return ExitCode::from(2);
        }
    }
    ExitCode::SUCCESS
}
