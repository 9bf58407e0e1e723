// Checks which token file the harness expects its daemons to use, so its own requests carry
// the token they will ask for: --api-token-file F or --api-token-file=F among the daemon
// flags (the last one wins, as for the daemon), else JADFS_API_TOKEN_FILE (empty is unset),
// else none.
import { strict as assert } from 'node:assert'
import { apiTokenFileOf } from '../../src/harness/local-cluster.js'

describe('harness: the daemons\' API token file', () => {
  it('takes the flag in either form, the last one, over the variable', () => {
    assert.equal(apiTokenFileOf(['--voters', '3', '--api-token-file', 'a.token'], {}), 'a.token')
    assert.equal(apiTokenFileOf(['--api-token-file=b.token'], {}), 'b.token')
    assert.equal(apiTokenFileOf(['--api-token-file', 'a.token', '--api-token-file=b.token'], { JADFS_API_TOKEN_FILE: 'c.token' }), 'b.token')
    assert.equal(apiTokenFileOf(['--reserve', '8MiB'], { JADFS_API_TOKEN_FILE: 'c.token' }), 'c.token')
  })

  it('is none without the flag or with an empty variable', () => {
    assert.equal(apiTokenFileOf([], {}), undefined)
    assert.equal(apiTokenFileOf(['--cluster-key', 'k'], { JADFS_API_TOKEN_FILE: '' }), undefined)
  })
})
