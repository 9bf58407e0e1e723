// Defaults for RaftCoreConfig's optional limits. Every queue and message has a bound (TigerBeetle
// style): a follower that falls behind costs at most maxInflightMsgs × maxSizePerMsgBytes.

/** default cap on the entries of one MsgApp (data plus ENTRY_OVERHEAD_BYTES each) */
export const DEFAULT_MAX_SIZE_PER_MSG_BYTES = 1024 * 1024

/**
 * default cap on the data of one proposed entry. A MsgApp carries at least one entry whatever
 * maxSizePerMsgBytes says, so this is what bounds the largest MsgApp when one entry is larger.
 * The largest namespace command is under 10 MiB (namespace/commands.ts, MAX_CHUNKS_PER_FILE).
 */
export const DEFAULT_MAX_ENTRY_BYTES = 16 * 1024 * 1024

/** default cap on un-acknowledged MsgApp per follower in replicate state */
export const DEFAULT_MAX_INFLIGHT_MSGS = 256

/**
 * Entries one proposal may carry (a leader refuses more). Our driver proposes one at a time;
 * the bound keeps a proposal forwarded by any peer from appending millions at once.
 */
export const MAX_ENTRIES_PER_PROPOSAL = 1024

/** default cap on bytes of appended but not yet applied proposals (data plus overhead per entry) */
export const DEFAULT_MAX_UNCOMMITTED_ENTRIES_BYTES = 64 * 1024 * 1024

/** marks a MsgVote sent because of MsgTimeoutNow: voters must not ignore it for their leader lease
 * (thesis §3.10, §4.2.3) */
export const CAMPAIGN_TRANSFER_CONTEXT = new TextEncoder().encode('CampaignTransfer')

export const NO_LEADER = ''

/** the ProposalDroppedError message when a follower knows no leader to forward to */
export const NO_LEADER_REASON = 'no leader known'
