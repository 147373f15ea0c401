# /etc/bivouac/agent.hcl: the agent config contrib/bivouac.service starts with.
# Nomad's agent config words where Nomad has the setting (README: Agent settings).
datacenter = "dc1"
data_dir   = "/var/lib/bivouac"

client {
  # reserved { cpu = 500  memory = 512 }
}

plugin "raw_exec" {
  config {
    enabled = false
  }
}

bivouac {
  jobs_dir = "/etc/bivouac/jobs"
}
