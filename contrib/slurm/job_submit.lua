--[[
slurm-lwk: job_submit/lua, the server-side half of cli_filter.lua (see
spank_lwk(8), SIZING).

Install as job_submit.lua beside slurm.conf on the slurmctld host and set
JobSubmitPlugins=lua. For a job that asks for an LWK (--lwk=cores:N, seen
here as _SLURM_SPANK_OPTION_lwk_lwk in the job's SPANK environment):
- a job the client did not size (a user without cli_filter.lua, or one who
  bypassed it) gets a per-node CPU minimum of N plus the cores the site
  keeps on Linux (pn_min_cpus, as --mincpus would), so that the LWK step
  can start; slurmctld then checks every limit as for any request;
- a job sized too small to ever hold its LWK cores on a node is refused,
  with one "lwk: ..." message to the user.
Hetjob components are only checked, not sized: here every component shows
the last --lwk of the command line, whichever component gave it.
Specs this file cannot read are the plugin's business (it rejects them).
--]]

-- Site settings: keep them equal to the plugin's and to cli_filter.lua's.
local site = {
	min_linux_cores = 1,
	max_core_share = 100,
	cpus_per_core = 1,
}

local NO_VAL16, NO_VAL = 65534, 4294967294
local KEY = "_SLURM_SPANK_OPTION_lwk_lwk="

local function lwk_spec(job_desc)
	local n = job_desc.spank_job_env_size or 0
	for i = 0, n - 1 do
		local e = job_desc.spank_job_env[i]
		if e and string.sub(e, 1, #KEY) == KEY then return string.sub(e, #KEY + 1) end
	end
	return nil
end

-- the LWK core count of a spec and its util:, nil unless cores:N
local function parse(spec)
	local n, util = nil, 0
	for item in string.gmatch(spec, "[^,]+") do
		local k, v = string.match(item, "^(%a+):(.+)$")
		if not k then return nil end
		if k == "cores" then
			n = tonumber(string.match(v, "^(%d+)$"))
			if n == nil or n == 0 then return nil end
		elseif k == "util" then
			util = tonumber(string.match(v, "^(%d+)$"))
			if util == nil then return nil end
		end
	end
	if n == nil then return nil end
	return n, util
end

local function set(v, unset)
	return v ~= nil and v ~= unset and v ~= NO_VAL and v ~= NO_VAL16 and v > 0
end

function slurm_job_submit(job_desc, part_list, submit_uid)
	local spec = lwk_spec(job_desc)
	if spec == nil then return slurm.SUCCESS end
	local n, util = parse(spec)
	if n == nil then return slurm.SUCCESS end
	local keep = math.max(site.min_linux_cores, util)
	local need = n + keep
	if site.max_core_share < 100 then
		need = math.max(need, math.ceil(n * 100 / site.max_core_share))
	end
	need = need * site.cpus_per_core

	local cpt = set(job_desc.cpus_per_task, nil) and job_desc.cpus_per_task or 1
	local tpn = job_desc.ntasks_per_node
	local tasks = set(job_desc.num_tasks, nil) and job_desc.num_tasks or 1
	local pn = set(job_desc.pn_min_cpus, nil) and job_desc.pn_min_cpus or 0
	local exclusive = job_desc.shared == 0
	local het = job_desc.het_job_offset
	local sized = set(job_desc.cpus_per_task, nil) or tasks > 1 or set(tpn, nil) or
		pn > 1 or exclusive
	if not sized then
		if het ~= nil and het ~= NO_VAL then return slurm.SUCCESS end
		job_desc.pn_min_cpus = need
		slurm.log_info("lwk: job of uid %d with --lwk=%s sized to %d CPUs per node",
			submit_uid, spec, need)
		return slurm.SUCCESS
	end
	if exclusive then return slurm.SUCCESS end
	if set(tpn, nil) then tasks = tpn end
	local most = math.max(tasks * cpt, pn)
	if most < need then
		slurm.log_user(string.format("lwk: 'cores:%d' needs %d CPUs on each node (%d LWK and %d kept on Linux), but the job asks for at most %d on a node: add --mincpus=%d, or ask for fewer LWK cores",
			n, need, n, keep, most, need))
		return slurm.ERROR
	end
	return slurm.SUCCESS
end

function slurm_job_modify(job_desc, job_rec, part_list, modify_uid)
	return slurm.SUCCESS
end
