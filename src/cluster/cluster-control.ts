// What the HTTP API needs from the cluster: who this peer is, the cluster as this peer sees
// it, and hand-made voter changes (leader only). The JSON shapes are in api/cluster-view.ts.
import type { ClusterView, MembershipView, PeerIdView } from '../api/cluster-view.js'

export interface ClusterControl {
  id: () => PeerIdView
  view: () => ClusterView
  addVoter: (peerId: string) => Promise<MembershipView>
  removeVoter: (peerId: string) => Promise<MembershipView>
}
