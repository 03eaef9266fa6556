import { createContext, useContext } from 'react';
import type { DisplaySettings } from './display-settings.js';

/**
 * Carries {@link DisplaySettings} to every component. The default draws
 * colour and animation, which is what a component rendered on its own (in a
 * story or a test) expects; the app provides the resolved settings at its root.
 *
 * @example
 * ```tsx
 * <DisplaySettingsContext.Provider value={{ color: false, animate: false }}>
 *   <SectionView title="Inbox" content="<b>3</b> unread" collapsed={false} />
 * </DisplaySettingsContext.Provider>
 * ```
 */
export const DisplaySettingsContext = createContext<DisplaySettings>({ color: true, animate: true });

/**
 * The display settings in effect for the calling component.
 *
 * @example
 * ```tsx
 * const { color } = useDisplaySettings();
 * ```
 */
export function useDisplaySettings(): DisplaySettings {
  return useContext(DisplaySettingsContext);
}
