/**
 * Entry point: paint the shell at once, then load the workspace (Automerge, IndexedDB) in a separate chunk.
 */
import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import { Profile } from '../ui/profile.svelte';
import { router } from '../ui/router.svelte';
import { theme } from '../ui/theme.svelte';
import { startUpdates } from './updates.svelte';

theme.start();
router.start();
const profile = new Profile();
const workspace = import('./workspace').then((m) => m.createWorkspace(profile));
mount(App, { target: document.getElementById('app')!, props: { workspace, profile } });
startUpdates();
