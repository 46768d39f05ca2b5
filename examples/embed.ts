import { FloatipService, OsInterfaceInventory, YamlConfigLoader } from 'floatip';

// Load the same YAML the daemon reads, then run one node inside this service.
const loaded = new YamlConfigLoader(new OsInterfaceInventory()).load('/etc/floatip/floatip.yml');
if (loaded.kind === 'resolved') {
  const floatip = new FloatipService({ settings: loaded.settings });
  floatip.onStateChange(({ from, to, reason }) => console.log(`${from} -> ${to}: ${reason}`));
  await floatip.start();
  process.once('SIGTERM', () => void floatip.stop('service stopping'));
}
