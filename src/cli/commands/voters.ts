// jadfs voters [add|remove PEER]: the Raft voter set. Listing asks any peer (GET /v1/cluster);
// changes go to the leader (POST /v1/cluster/voters, DELETE /v1/cluster/voters/<peer>), through
// the peer at --api, which names the leader if it is not itself the leader.
import type { Command } from 'commander'
import type { MembershipView } from '../../api/cluster-view.js'
import { addClientOptions, clientFrom, type ClientOptions } from '../client-options.js'
import { describeMembership, describeVoters, memberLines } from '../cluster-format.js'
import type { CommandContext } from '../command-context.js'
import { onLeader } from '../leader-retry.js'
import { printJson, printLines } from '../output.js'
import { parsePeerIdArg } from '../peer-id-arg.js'

export function registerVotersCommand (program: Command, ctx: CommandContext): void {
  // The client options live on `voters` only: commander gives options written after a
  // subcommand to the parent when both define them, so the subcommands read the parent's.
  const voters = addClientOptions(program.command('voters')
    .summary('show or change the Raft voter set')
    .description('Show the leader, the term, the voters and the learners, each marked alive, suspect or dead as the peer at --api sees them. `voters add` promotes a learner to voter; `voters remove` takes a peer out of the cluster. Changes are made by the leader: a peer that is not the leader names it and the request is repeated there once.'))
    .addHelpText('after', `
Examples:
  $ jadfs voters
  $ jadfs voters --json | jq -r '.voters[].peerId'
  $ jadfs voters add 12D3KooWExamplePeer...
  $ jadfs voters remove 12D3KooWExamplePeer... --api http://10.0.0.3:5080`)
    .action(async (flags: ClientOptions) => {
      const view = await clientFrom(flags, ctx.io).cluster()
      if (flags.json === true) {
        const lines = memberLines(view)
        const strip = ({ peerId, state, leader }: { peerId: string, state: string, leader: boolean }): object => ({ peerId, state, leader })
        printJson(ctx.io.stdout, {
          leader: view.leader,
          term: view.term,
          targetVoters: view.targetVoters,
          voters: lines.filter((l) => l.member === 'voter').map(strip),
          learners: lines.filter((l) => l.member === 'learner').map(strip)
        })
        return
      }
      printLines(ctx.io.stdout, describeVoters(view))
    })

  const change = (name: 'add' | 'remove', summary: string, description: string, example: string, verb: string): void => {
    voters.command(name)
      .summary(summary)
      .description(`${description} Takes the options of \`jadfs voters\` (--api, --json, --timeout).`)
      .argument('<peerId>', 'the peer id, e.g. 12D3KooW… (see `jadfs id`)')
      .configureHelp({ showGlobalOptions: true })
      .addHelpText('after', `
Examples:
  ${example}`)
      .action(async (text: string, _own: object, command: Command) => {
        const flags = command.optsWithGlobals<ClientOptions>()
        const peerId = await parsePeerIdArg(text)
        const client = clientFrom(flags, ctx.io)
        const answer = await onLeader<MembershipView>(client, async (c) => name === 'add' ? await c.addVoter(peerId) : await c.removeVoter(peerId))
        if (flags.json === true) {
          printJson(ctx.io.stdout, answer.result)
          return
        }
        const via = answer.apiUrl === client.baseUrl ? '' : ` (by the leader at ${answer.apiUrl})`
        printLines(ctx.io.stdout, [`${verb} ${peerId}${via}`, ...describeMembership(answer.result)])
      })
  }
  change('add', 'promote a learner to voter', 'Promote a learner to voter.', '$ jadfs voters add 12D3KooWExamplePeer...', 'promoted')
  change('remove', 'remove a peer from the cluster', 'Remove a peer (voter or learner) from the Raft configuration.', '$ jadfs voters remove 12D3KooWExamplePeer... --api http://10.0.0.3:5080', 'removed')
}
