--[[
slurm-lwk: cli_filter/lua for --lwk (see spank_lwk(8), SIZING).

Install as cli_filter.lua beside slurm.conf on every node users submit from
and set CliFilterPlugins=cli_filter/lua (Slurm 22.05 and later; Debian
builds it against Lua 5.1). With it,

    srun --lwk=cores:60 ./sim        sbatch --lwk=cores:60 job.sh

ask Slurm for enough CPUs on each node when the user did not size the job
(no -n/-c/--ntasks-per-node/--mincpus/--exclusive): one task with
cpus-per-task = the LWK cores plus the cores the site keeps on Linux (the
plugin's min_linux_cores, or the spec's util:N if larger). A job the user
sized is left alone, and refused here if it can never hold the LWK cores
on a node; so is a spec no node of the partition can hold. A refusal is one
"lwk: ..." line on stderr, before anything is submitted.

The filter never grants anything: it only fills in a request, which
slurmctld then checks against every limit (partition, QOS, association)
as if the user had typed it. It runs in the client, so a user can bypass
it; job_submit.lua is the server-side guard.

What it leaves to the plugin: a spec it cannot read (the plugin's own check
rejects it with the right message just after this filter), none, and srun
steps inside an existing allocation (sized at sbatch/salloc time).
--]]

-- Site settings: keep them equal to the plugin's (plugstack.conf arguments
-- or /etc/lwk/lwk.conf). cpus_per_core: Slurm CPUs (hyperthreads) per core.
local site = {
	min_linux_cores = 1,
	max_core_share = 100,
	cpus_per_core = 1,
}

local PLUGIN, OPTION = "lwk", "lwk"

-- the --lwk value of the component being filtered, nil if none
local function lwk_value(options)
	local sp = options.spank
	local v = sp and sp[PLUGIN] and sp[PLUGIN][OPTION]
	if v == nil or v == "" or v == "set" then return nil end
	return v
end

-- cores:N|N%|all and util:N of a spec; nil for none or what the plugin
-- must judge (any item it does not know stays the plugin's business)
local function parse(spec)
	if spec == "none" then return nil end
	local r = { kind = "default", util = 0 }
	for item in string.gmatch(spec, "[^,]+") do
		local k, v = string.match(item, "^(%a+):(.+)$")
		if not k then return nil end
		if k == "cores" then
			if v == "all" then r.kind = "all"
			elseif string.match(v, "^%d+%%$") then r.kind = "percent"
			elseif string.match(v, "^%d+$") then r.kind = "count"; r.n = tonumber(v)
			else return nil end
		elseif k == "util" then
			if not string.match(v, "^%d+$") then return nil end
			r.util = tonumber(v)
		end
	end
	if r.kind == "count" and r.n == 0 then return nil end
	return r
end

-- Slurm 22.05's raw "unset" values: cpus-per-task "0", mincpus "-1",
-- ntasks-per-node "-2", exclusive "unset", and ntasks "1" (as for -n1, so
-- -n1 counts as unsized: one task with more CPUs is still -n1)
local function given(v)
	if v == nil or v == "" then return false end
	local n = tonumber(v)
	if n ~= nil then return n > 0 end
	return true
end

local function num(v, dflt)
	local n = tonumber(v)
	if n == nil or n <= 0 then return dflt end
	return n
end

-- the largest CPU count of a node in the partition (0: unknown)
local function largest_node(part)
	local cmd = "sinfo -h -N -o %c"
	if part ~= nil and string.match(part, "^[%w_.,-]+$") then
		cmd = cmd .. " -p " .. part
	end
	local f = io.popen(cmd .. " 2>/dev/null")
	if not f then return 0 end
	local best = 0
	for line in f:lines() do
		local c = tonumber(string.match(line, "(%d+)"))
		if c and c > best then best = c end
	end
	f:close()
	return best
end

local function refuse(msg)
	io.stderr:write("lwk: " .. msg .. "\n")
	io.stderr:flush()
	return slurm.ERROR
end

local seen = {}		-- --lwk value at each hetjob offset

function slurm_cli_setup_defaults(options, early_pass)
	return slurm.SUCCESS
end

function slurm_cli_post_submit(offset, jobid, stepid)
	return slurm.SUCCESS
end

function slurm_cli_pre_submit(options, offset)
	local spec = lwk_value(options)
	seen[offset] = spec or false
	if spec == nil then return slurm.SUCCESS end
	-- srun keeps one --lwk for all hetjob components: a component that
	-- shows its predecessor's value did not give its own (see BUGS in
	-- spank_lwk(8))
	if offset > 0 and seen[offset - 1] == spec then return slurm.SUCCESS end
	local tool = options["type"]
	local jobid = tonumber(options["jobid"])
	if tool == "srun" and (os.getenv("SLURM_JOB_ID") ~= nil or
	    (jobid ~= nil and jobid > 0 and jobid < 4294967294)) then
		return slurm.SUCCESS	-- a step: its job was sized when it was made
	end
	local s = parse(spec)
	if s == nil then return slurm.SUCCESS end

	local keep = math.max(site.min_linux_cores, s.util)
	local item = string.match(spec, "cores:[^,]*") or ("default cores (" .. spec .. ")")
	local excl = options["exclusive"] ~= nil and options["exclusive"] ~= "" and
		options["exclusive"] ~= "unset"
	local sized = num(options["ntasks"], 1) > 1 or given(options["cpus-per-task"]) or
		given(options["ntasks-per-node"]) or given(options["mincpus"]) or excl

	if s.kind ~= "count" then
		if sized then return slurm.SUCCESS end
		return refuse(string.format("'%s' takes a share of the job's cores, but the job asks for no size: give it one (-c N, -n N or --exclusive), or ask for a number of LWK cores (cores:N)", item))
	end

	local need = s.n + keep
	if site.max_core_share < 100 then
		need = math.max(need, math.ceil(s.n * 100 / site.max_core_share))
	end
	need = need * site.cpus_per_core
	local why = string.format("'%s' needs %d CPUs on each node (%d LWK core%s and %d kept on Linux)",
		item, need, s.n, s.n == 1 and "" or "s", keep)
	local largest = largest_node(options["partition"])
	if largest > 0 and need > largest then
		return refuse(string.format("%s, but the largest node of %s has %d: ask for fewer LWK cores",
			why, options["partition"] and ("partition " .. options["partition"]) or "the default partition", largest))
	end
	if sized then
		if excl then return slurm.SUCCESS end
		-- the most CPUs the request can put on one node
		local cpt = num(options["cpus-per-task"], 1)
		local tasks = num(options["ntasks-per-node"], 0)
		if tasks == 0 then tasks = num(options["ntasks"], 1) end
		local most = math.max(tasks * cpt, num(options["mincpus"], 0))
		if most < need then
			return refuse(string.format("%s, but the job asks for at most %d on a node: add --mincpus=%d, or ask for fewer LWK cores",
				why, most, need))
		end
		return slurm.SUCCESS
	end
	options["cpus-per-task"] = tostring(need)
	return slurm.SUCCESS
end
